/* An Arm PL061 GPIO controller whose pin 3 is the power button, as on
 * QEMU's virt board: the guest's gpio-keys driver turns a press into
 * KEY_POWER. */
#ifndef TERN_DEVICES_PL061_H
#define TERN_DEVICES_PL061_H

#include <pthread.h>
#include <stdint.h>

#include "vmm/core/mmio_bus.h"

#define PL061_SIZE             0x1000
#define PL061_POWER_BUTTON_PIN 3

struct pl061 {
	pthread_mutex_t lock; /* vCPU MMIO and the main thread's button */
	uint8_t data;         /* input levels of the 8 pins */
	uint8_t dir, is, ibe, iev, ie, ris, afsel;
	int irq_level;
	int button_down; /* released once the guest has read it pressed */
	void (*set_irq)(void *ctx, int level);
	void *ctx;
};

extern const struct mmio_ops pl061_ops;

void pl061_init(struct pl061 *g, void (*set_irq)(void *, int), void *ctx);
void pl061_destroy(struct pl061 *g);
/* Drives an input pin; edges and levels raise the interrupt as the guest
 * configured it. */
void pl061_set_input(struct pl061 *g, unsigned pin, int level);
/* Presses the power button; the release follows once the guest has read the
 * pin as pressed, so it sees a full key stroke. */
void pl061_press_power(struct pl061 *g);

#endif
