/* The build-id of a loaded object, from its PT_NOTE segments as the
 * dynamic loader mapped them (dl_iterate_phdr): no file is read. */
#include "common/buildid.h"
#include "common/str.h"

#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>

struct want {
	uintptr_t addr;		/* 0: the main program (the first object) */
	char *out;
	size_t size;
	bool found;		/* the object was found (with or without id) */
	bool ok;
};

static bool holds(const struct dl_phdr_info *info, uintptr_t addr)
{
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && addr >= lo && addr - lo < ph->p_memsz)
			return true;
	}
	return false;
}

static int one_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct want *w = arg;

	(void)size;
	if (w->addr && !holds(info, w->addr))
		return 0;
	w->found = true;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;
		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while ((size_t)(end - p) >= sizeof(ElfW(Nhdr))) {
			ElfW(Nhdr) nh;
			size_t name, desc;
			memcpy(&nh, p, sizeof(nh));
			name = ((size_t)nh.n_namesz + 3) & ~(size_t)3;
			desc = ((size_t)nh.n_descsz + 3) & ~(size_t)3;
			if (name > (size_t)(end - p) - sizeof(nh) ||
			    desc > (size_t)(end - p) - sizeof(nh) - name)
				break;
			if (nh.n_type == NT_GNU_BUILD_ID && nh.n_namesz == 4 &&
			    memcmp(p + sizeof(nh), "GNU", 4) == 0 && nh.n_descsz &&
			    2 * (size_t)nh.n_descsz < w->size) {
				sb_hex(w->out, p + sizeof(nh) + name, nh.n_descsz);
				w->ok = true;
				return 1;
			}
			p += sizeof(nh) + name + desc;
		}
	}
	return 1;	/* the object, without an id */
}

bool sb_build_id(char *out, size_t size, const void *addr)
{
	struct want w = { (uintptr_t)addr, out, size, false, false };

	if (size)
		out[0] = '\0';
	dl_iterate_phdr(one_object, &w);
	return w.ok;
}
