/* The tier requirement profiles, built into the binary so that the
 * appliance can never run without them (see bom/tier.c). */
	.section .rodata
	.balign 16
	.global sb_tier_core_yaml
sb_tier_core_yaml:
	.incbin "bom/tiers/core.yaml"
	.byte 0
	.global sb_tier_regional_yaml
sb_tier_regional_yaml:
	.incbin "bom/tiers/regional.yaml"
	.byte 0
	.global sb_tier_edge_yaml
sb_tier_edge_yaml:
	.incbin "bom/tiers/edge.yaml"
	.byte 0
	.section .note.GNU-stack,"",@progbits
