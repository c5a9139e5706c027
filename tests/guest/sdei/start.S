/* SDEI conformance guest: Image header, entry, exception vectors, the SDEI
 * handler entry stub and the register-sentinel helpers. */

#define SDEI_FN_EVENT_SIGNAL 0xC400002F
#define PSCI_SYSTEM_OFF      0x84000008

/* Load a 64-bit constant made of four 16-bit halves. */
.macro	movq reg, h3, h2, h1, h0
	movz	\reg, #\h3, lsl #48
	movk	\reg, #\h2, lsl #32
	movk	\reg, #\h1, lsl #16
	movk	\reg, #\h0
.endm

/* SENTINEL(n) = 0x5E471E00_0000000n (guest.h) */
.macro	sentinel reg, n
	movq	\reg, 0x5E47, 0x1E00, 0, \n
.endm

/* SENTINEL2(n) = 0xC2170000_0000000n (guest.h) */
.macro	sentinel2 reg, n
	movq	\reg, 0xC217, 0, 0, \n
.endm

	.section .head.text, "ax"
	.globl	_head
_head:
	/* arm64 Linux Image header (Documentation/arch/arm64/booting.rst) */
	b	_start			/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	__image_size		/* image_size, .bss included */
	.quad	0xa			/* flags: LE, 4K pages, place anywhere */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.ascii	"ARM\x64"		/* magic, offset 56 */
	.long	0			/* res5 */

	.text
	.globl	_start
_start:
	msr	daifset, #0xf
	/* Clear .bss, the stack included; the loader only copies the file. */
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
	mov	x29, xzr
	mov	x30, xzr
	bl	main
	/* main does not return; if it ever does, power off. */
	movq	x0, 0, 0, 0x8400, 0x0008
	hvc	#0
3:	wfi
	b	3b

/*
 * Exception vectors. Only the current-EL SPx IRQ entry is expected: it is
 * where the guest asks EVENT_COMPLETE_AND_RESUME to go, as Linux does. It
 * records ELR_EL1, SPSR_EL1 and DAIF and returns to the interrupted code with
 * every register intact. Anything else is a bug: report and power off.
 */
.macro	vbad idx
	.balign	0x80
	mov	x0, #\idx
	b	vec_bad
.endm

	.balign	0x800
	.globl	vectors
vectors:
	vbad	0	/* current EL, SP0: sync */
	vbad	1	/* IRQ */
	vbad	2	/* FIQ */
	vbad	3	/* SError */
	vbad	4	/* current EL, SPx: sync */
	.balign	0x80	/* current EL, SPx: IRQ (VBAR_EL1 + 0x280) */
	stp	x0, x1, [sp, #-16]!
	stp	x2, x3, [sp, #-16]!
	adrp	x0, resume_rec
	add	x0, x0, :lo12:resume_rec
	ldr	x1, [x0]
	add	x1, x1, #1
	mrs	x2, elr_el1
	mrs	x3, spsr_el1
	stp	x1, x2, [x0]
	mrs	x1, daif
	stp	x3, x1, [x0, #16]
	ldp	x2, x3, [sp], #16
	ldp	x0, x1, [sp], #16
	eret
	vbad	6	/* FIQ */
	vbad	7	/* SError */
	vbad	8	/* lower EL, AArch64 */
	vbad	9
	vbad	10
	vbad	11
	vbad	12	/* lower EL, AArch32 */
	vbad	13
	vbad	14
	vbad	15

vec_bad:
	mrs	x1, esr_el1
	mrs	x2, elr_el1
	mrs	x3, far_el1
	b	unexpected_exception

/*
 * SDEI handler entry stubs. Entered with x0 = event, x1 = registration
 * argument, x2 = interrupted PC, x3 = interrupted PSTATE, on the interrupted
 * SP (EL1h). Each builds a struct entry_frame, calls its C handler with it,
 * then issues the call the handler chose (COMPLETE or COMPLETE_AND_RESUME)
 * with SP and x18..x30 as they were on entry: the dispatcher restores
 * x0..x17, PC and PSTATE, nothing else. sdei_entry (C: sdei_handler) is
 * registered for every event except vCPU 1's instance of event 0, which has
 * its own, sdei_entry_cpu1 (C: cpu1_sdei_handler).
 */
#define F_X      0	/* x0..x17 */
#define F_DAIF   144
#define F_CUREL  152
#define F_SPSEL  160
#define F_SP     168
#define F_FN     176
#define F_ARG    184
#define F_SAVE   192	/* x18..x30 */
#define F_SIZE   304

.macro	sdei_entry_stub name, handler
	.balign	4
	.globl	\name
\name:
	sub	sp, sp, #F_SIZE
	stp	x0, x1, [sp, #F_X + 0]
	stp	x2, x3, [sp, #F_X + 16]
	stp	x4, x5, [sp, #F_X + 32]
	stp	x6, x7, [sp, #F_X + 48]
	stp	x8, x9, [sp, #F_X + 64]
	stp	x10, x11, [sp, #F_X + 80]
	stp	x12, x13, [sp, #F_X + 96]
	stp	x14, x15, [sp, #F_X + 112]
	stp	x16, x17, [sp, #F_X + 128]
	stp	x18, x19, [sp, #F_SAVE + 0]
	stp	x20, x21, [sp, #F_SAVE + 16]
	stp	x22, x23, [sp, #F_SAVE + 32]
	stp	x24, x25, [sp, #F_SAVE + 48]
	stp	x26, x27, [sp, #F_SAVE + 64]
	stp	x28, x29, [sp, #F_SAVE + 80]
	str	x30, [sp, #F_SAVE + 96]
	mrs	x4, daif
	mrs	x5, currentel
	stp	x4, x5, [sp, #F_DAIF]
	mrs	x4, spsel
	add	x5, sp, #F_SIZE
	stp	x4, x5, [sp, #F_SPSEL]
	mov	x0, sp
	mov	x29, xzr
	bl	\handler
	ldp	x0, x1, [sp, #F_FN]
	ldp	x18, x19, [sp, #F_SAVE + 0]
	ldp	x20, x21, [sp, #F_SAVE + 16]
	ldp	x22, x23, [sp, #F_SAVE + 32]
	ldp	x24, x25, [sp, #F_SAVE + 48]
	ldp	x26, x27, [sp, #F_SAVE + 64]
	ldp	x28, x29, [sp, #F_SAVE + 80]
	ldr	x30, [sp, #F_SAVE + 96]
	add	sp, sp, #F_SIZE
	hvc	#0
	/* COMPLETE returned: the dispatcher refused it (x0 = error). */
	mov	x1, x0
	b	complete_refused
.endm

	sdei_entry_stub sdei_entry, sdei_handler
	sdei_entry_stub sdei_entry_cpu1, cpu1_sdei_handler

/*
 * Secondary vCPU entry, the PSCI CPU_ON entry point (x0 = context). The
 * vCPU comes out of reset at EL1h, MMU off. It takes its own stack (.bss
 * was cleared by vCPU 0 long before) and the shared vectors, then runs
 * secondary_main(context), which never returns.
 */
	.balign	4
	.globl	secondary_entry
secondary_entry:
	msr	daifset, #0xf
	adrp	x1, __stack1_top
	add	x1, x1, :lo12:__stack1_top
	mov	sp, x1
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	mov	x29, xzr
	mov	x30, xzr
	bl	secondary_main
1:	wfi
	b	1b

/*
 * void regs_signal_check(uint64_t *snap, uint64_t mpidr)
 * EVENT_SIGNAL(0, mpidr) with SENTINEL(n) in x3..x30 (x29/x30 included;
 * they are saved here) and records x0..x30 and SP right after the HVC
 * (snap[0..31]) and SP right before it (snap[32]). The handler's x2 and
 * ELR_EL1 in the resume vector must equal regs_signal_ret.
 */
	.globl	regs_signal_check
	.globl	regs_signal_ret
regs_signal_check:
	stp	x29, x30, [sp, #-112]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #96]
	mov	x2, sp
	str	x2, [x0, #8 * 32]
	mov	x2, x1
	mov	x1, #0
	sentinel x3, 3
	sentinel x4, 4
	sentinel x5, 5
	sentinel x6, 6
	sentinel x7, 7
	sentinel x8, 8
	sentinel x9, 9
	sentinel x10, 10
	sentinel x11, 11
	sentinel x12, 12
	sentinel x13, 13
	sentinel x14, 14
	sentinel x15, 15
	sentinel x16, 16
	sentinel x17, 17
	sentinel x18, 18
	sentinel x19, 19
	sentinel x20, 20
	sentinel x21, 21
	sentinel x22, 22
	sentinel x23, 23
	sentinel x24, 24
	sentinel x25, 25
	sentinel x26, 26
	sentinel x27, 27
	sentinel x28, 28
	sentinel x29, 29
	sentinel x30, 30
	movq	x0, 0, 0, 0xC400, 0x002F
	hvc	#0
regs_signal_ret:
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	str	x30, [sp, #240]
	add	x0, sp, #256
	str	x0, [sp, #248]
	ldr	x1, [sp, #256 + 96]
	mov	x2, #0
1:	ldr	x3, [sp, x2, lsl #3]
	str	x3, [x1, x2, lsl #3]
	add	x2, x2, #1
	cmp	x2, #32
	b.ne	1b
	add	sp, sp, #256
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #112
	ret

/*
 * uint64_t spin_sentinels(volatile uint32_t *flag, uint64_t deadline)
 * Holds SENTINEL2(n) in x4..x17 while waiting for *flag != 0 or CNTVCT_EL0
 * to reach deadline, so that a critical handler taken meanwhile can check
 * them through EVENT_CONTEXT. The caller has printed the announcement
 * without its newline: it is sent here, once the sentinels are in place, so
 * the host (which reacts to whole lines) cannot raise the event too early.
 * Returns bit n set for each xn that changed, bit 63 on timeout.
 */
.macro	chk2 reg, n
	sentinel2 x3, \n
	cmp	\reg, x3
	b.eq	.Lchk2_\@
	orr	x2, x2, #(1 << \n)
.Lchk2_\@:
.endm

	.globl	spin_sentinels
	.globl	spin_sentinels_end
spin_sentinels:
	sentinel2 x4, 4
	sentinel2 x5, 5
	sentinel2 x6, 6
	sentinel2 x7, 7
	sentinel2 x8, 8
	sentinel2 x9, 9
	sentinel2 x10, 10
	sentinel2 x11, 11
	sentinel2 x12, 12
	sentinel2 x13, 13
	sentinel2 x14, 14
	sentinel2 x15, 15
	sentinel2 x16, 16
	sentinel2 x17, 17
	movz	x2, #0x0900, lsl #16	/* 16550A: THR at +0, LSR at +5 */
0:	ldrb	w3, [x2, #5]
	tbz	w3, #5, 0b		/* LSR.THRE */
	mov	w3, #'\n'
	strb	w3, [x2]
	mov	x2, #0
1:	ldr	w3, [x0]
	cbnz	w3, 2f
	mrs	x3, cntvct_el0
	cmp	x3, x1
	b.lo	1b
	orr	x2, x2, #(1 << 63)
2:	chk2	x4, 4
	chk2	x5, 5
	chk2	x6, 6
	chk2	x7, 7
	chk2	x8, 8
	chk2	x9, 9
	chk2	x10, 10
	chk2	x11, 11
	chk2	x12, 12
	chk2	x13, 13
	chk2	x14, 14
	chk2	x15, 15
	chk2	x16, 16
	chk2	x17, 17
	mov	x0, x2
	ret
spin_sentinels_end:

	.bss
	.balign	16
	.globl	resume_rec
resume_rec:
	.skip	32
