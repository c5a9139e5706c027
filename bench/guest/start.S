/* SDEI bench guest: arm64 Image header, entry and the SDEI handler stub.
 * Loaded by tern at the start of guest RAM (0x40000000). */
	.section .head.text, "ax"
	.globl	_head
_head:
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_size		/* image_size (covers .bss) */
	.quad	0xa			/* LE, 4 KiB pages, anywhere */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

	.text
	.globl	_start
_start:
	msr	daifset, #0xf
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	ldr	x1, =__stack_top
	mov	sp, x1
	bl	main
	/* PSCI SYSTEM_OFF */
	movz	x0, #0x8400, lsl #16
	movk	x0, #0x0008
	hvc	#0
3:	wfi
	b	3b

/* SDEI handler entry (x0 = event, x1 = arg, x2 = interrupted PC, on the
 * interrupted SP). The counter is read first thing; the C part may use
 * x0..x17 freely (the dispatcher restores them at COMPLETE), x18 is fixed
 * by -ffixed-x18 and x19..x30 are saved here. Just before COMPLETE the
 * counter is stored in complete_cnt. */
	.globl	sdei_entry
sdei_entry:
	mrs	x3, cntvct_el0
	stp	x29, x30, [sp, #-16]!
	mov	x2, x3
	bl	sdei_handler
	ldp	x29, x30, [sp], #16
	ldr	x2, =complete_cnt
	isb
	mrs	x3, cntvct_el0
	str	x3, [x2]
	movz	x0, #0xC400, lsl #16
	movk	x0, #0x0025		/* SDEI_EVENT_COMPLETE */
	mov	x1, #0			/* handled */
	hvc	#0
	/* COMPLETE came back: refused. Power off. */
	movz	x0, #0x8400, lsl #16
	movk	x0, #0x0008
	hvc	#0
	b	.
