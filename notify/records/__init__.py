"""Records of a response: 附件6 statistics computed from the revisions, the §5.4 written report
drafted from the record, drill record (附件7) and effect evaluation (附件8), and their exports."""
