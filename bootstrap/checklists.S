/* The tier checklists, built into the binary so that `siteboot run TIER`
 * works on an appliance with nothing else on it (see checklist.c). */
	.section .rodata
	.balign 16
	.global sb_checklist_core_yaml
sb_checklist_core_yaml:
	.incbin "bootstrap/checklists/core.yaml"
	.byte 0
	.global sb_checklist_regional_yaml
sb_checklist_regional_yaml:
	.incbin "bootstrap/checklists/regional.yaml"
	.byte 0
	.global sb_checklist_edge_yaml
sb_checklist_edge_yaml:
	.incbin "bootstrap/checklists/edge.yaml"
	.byte 0
	.section .note.GNU-stack,"",@progbits
