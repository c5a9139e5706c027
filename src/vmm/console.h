/* The host side of the guest console: tern's stdin and stdout. */
#ifndef TERN_VMM_CONSOLE_H
#define TERN_VMM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

/* Puts a terminal stdin into raw mode and arranges for it to be restored on
 * every exit path. Does nothing when stdin is not a terminal. */
void console_setup(void);
void console_restore(void);
int console_is_tty(void);

/* Filters terminal input for the escape sequence Ctrl-A x (quit); Ctrl-A
 * Ctrl-A sends one Ctrl-A. Rewrites buf in place and returns the bytes for the
 * guest; sets *quit when the user asked to quit. */
size_t console_filter(uint8_t *buf, size_t len, int *quit);

/* Writes one guest byte to stdout; never blocks the caller on a closed pipe. */
void console_putc(uint8_t byte);

#endif
