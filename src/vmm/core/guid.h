/* GUIDs as the bytes a guest reads: UEFI stores the first three fields
 * little-endian and the last eight bytes in order. */
#ifndef TERN_VMM_CORE_GUID_H
#define TERN_VMM_CORE_GUID_H

#define GUID_INIT(a, b, c, d0, d1, d2, d3, d4, d5, d6, d7)                                         \
	{                                                                                          \
		(a) & 0xff, ((a) >> 8) & 0xff, ((a) >> 16) & 0xff, ((a) >> 24) & 0xff, (b)&0xff,   \
		        ((b) >> 8) & 0xff, (c)&0xff, ((c) >> 8) & 0xff, d0, d1, d2, d3, d4, d5,    \
		        d6, d7                                                                     \
	}

#endif
