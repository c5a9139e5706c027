#include "vmm/console.h"

#include <errno.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define ESCAPE_CHAR 0x01 /* Ctrl-A, as in QEMU */

static struct termios saved;
static int raw_active;
static int escape_seen;

void console_restore(void)
{
	if (raw_active) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
		raw_active = 0;
	}
}

int console_is_tty(void)
{
	return isatty(STDIN_FILENO);
}

void console_setup(void)
{
	static int registered;
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	struct termios raw = saved;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST; /* keep \n -> \r\n for tern's own messages */
	if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
		return;
	raw_active = 1;
	if (!registered) {
		atexit(console_restore);
		registered = 1;
	}
}

size_t console_filter(uint8_t *buf, size_t len, int *quit)
{
	size_t out = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = buf[i];
		if (escape_seen) {
			escape_seen = 0;
			if (c == 'x' || c == 'X') {
				*quit = 1;
				return out;
			}
			if (c == ESCAPE_CHAR)
				buf[out++] = c;
			continue;
		}
		if (c == ESCAPE_CHAR && raw_active) {
			escape_seen = 1;
			continue;
		}
		buf[out++] = c;
	}
	return out;
}

void console_putc(uint8_t byte)
{
	for (;;) {
		ssize_t r = write(STDOUT_FILENO, &byte, 1);
		if (r == 1 || (r < 0 && errno != EINTR))
			return;
	}
}
