"""What users type and read: the rule for names, message layout and paging, and failures in plain words."""
