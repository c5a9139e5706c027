/* Hostile guest: Image header, entry and an exception vector table that
 * catches everything (any exception is a bail-out: the guest reports it
 * and powers off, so the survival line is missing and the scenario fails). */

	.section .head.text, "ax"
	.globl	_head
_head:
	/* arm64 Image header (Documentation/arch/arm64/booting.rst) */
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_size		/* image_size, .bss included */
	.quad	0xa			/* flags: LE, 4K pages, place anywhere */
	.quad	0, 0, 0			/* res2..res4 */
	.ascii	"ARM\x64"		/* magic, offset 56 */
	.long	0			/* res5 */

	.text
	.globl	_start
_start:
	/* x0 = the device tree's address: keep it for main(). */
	msr	daifset, #0xf
	mov	x19, x0
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	mov	x0, x19
	mov	x29, xzr
	mov	x30, xzr
	bl	main
3:	wfi
	b	3b

/* Every one of the 16 vectors: x0 = its index, then the C reporter. */
.macro	vec idx
	.balign	0x80
	mov	x0, #\idx
	b	vec_common
.endm

	.balign	0x800
vectors:
	.irp	n, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vec	\n
	.endr

vec_common:
	/* Back to a known stack: the exception may have come from anywhere. */
	adrp	x4, __stack_top
	add	x4, x4, :lo12:__stack_top
	mov	sp, x4
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	bl	guest_exception
4:	wfi
	b	4b
