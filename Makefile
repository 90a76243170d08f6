# siteboot — see README.md. Two commands do everything on a fresh Debian 12
# machine (as root): `make demo` and `make check`.

VERSION    := $(shell cat VERSION)
PREFIX     ?= /usr/local
DESTDIR    ?=
CC         ?= cc
SANITIZE   ?=
FUZZ_TIME  ?= 60
V          ?= 0
# quiet compile lines unless V=1
ifeq ($(V),1)
  Q :=
else
  Q = @echo "  CC      $<";
endif

MODULES := common bom firmware inventory images bootstrap
PKGS    := libfreeipmi libcurl jansson libssh libvirt yaml-0.1 libarchive sqlite3 libssl libcrypto libmicrohttpd
# siteboot links only these; the others are loaded on first use by
# common/lazylib.c (dlopen by SONAME), so that commands which never touch
# a BMC, a host or an archive do not pay for mapping them at start-up.
LINK_PKGS := jansson yaml-0.1 sqlite3 libcrypto
LAZY_LIBS := VIRT=libvirt CURL=libcurl SSL=libssl SSH=libssh IPMI=libfreeipmi \
             MHD=libmicrohttpd ARCHIVE=libarchive

ifeq ($(SANITIZE),1)
  BUILD    := build/san
  SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  OPT      := -O1 -g
  HARDEN   :=
else
  BUILD    := build/release
  SAN      :=
  OPT      := -O2 -g
  HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
  HARDEN_LD := -pie -Wl,-z,relro,-z,now
endif

WARN := -std=c11 -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wformat-security \
        -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition -Wvla \
        -Wpointer-arith -Wundef -Wimplicit-fallthrough -Wwrite-strings \
        -Wno-format-truncation

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(LINK_PKGS) 2>/dev/null)

CPPFLAGS += -I. -D_GNU_SOURCE -DSB_VERSION='"$(VERSION)"' -DSB_DATADIR='"$(PREFIX)/share/siteboot"'
ALL_CFLAGS = $(WARN) $(OPT) $(HARDEN) $(SAN) $(PKG_CFLAGS) $(CFLAGS) -pthread -MMD -MP
ALL_LDFLAGS = $(SAN) $(HARDEN_LD) $(LDFLAGS) -pthread
LIBS = $(PKG_LIBS) -lm

SRCS     := $(foreach m,$(MODULES),$(wildcard $(m)/*.c))
ASMS     := $(foreach m,$(MODULES),$(wildcard $(m)/*.S))
LIB_SRCS := $(filter-out bootstrap/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:%.c=$(BUILD)/obj/%.o) $(ASMS:%.S=$(BUILD)/obj/%.o)
MAIN_OBJ := $(BUILD)/obj/bootstrap/main.o
LIBSB    := $(BUILD)/libsiteboot.a
BIN      := $(BUILD)/siteboot

UNIT_SRCS  := $(wildcard tests/unit/check_*.c)
UNIT_BINS  := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS  := $(wildcard tests/lab/*.c)
TOOL_BINS  := $(TOOL_SRCS:tests/lab/%.c=$(BUILD)/lab/%)

# Debian packages: building, the lab's real peers and the tests' own tools.
DEPS := build-essential pkg-config \
        libfreeipmi-dev libcurl4-openssl-dev libjansson-dev libssh-dev \
        libvirt-dev libyaml-dev libarchive-dev libsqlite3-dev libssl-dev \
        check libmicrohttpd-dev \
        openipmi ipmitool freeipmi-tools openssh-server openssh-client \
        iproute2 dmidecode sqlite3 curl xorriso python3 python3-jsonschema \
        python3-sushy redfishtool libvirt-clients \
        cppcheck clang clang-tidy libclang-rt-14-dev \
        hyperfine ansible-core

.PHONY: all deps check unit integ demo bench fuzz lint install man clean \
        check-docs check-banned image image-test image-deps

all: siteboot

# Install whatever Debian packages are missing (needs root the first time).
deps:
	@missing=$$(dpkg-query -W -f='$${Package} $${db:Status-Abbrev}\n' $(DEPS) 2>/dev/null \
	    | awk '$$2 == "ii" {print $$1}' | sort > build.deps.ok; \
	    for p in $(DEPS); do grep -qx "$$p" build.deps.ok || echo $$p; done); \
	rm -f build.deps.ok; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing $$missing"; \
	  if [ "$$(id -u)" != 0 ]; then \
	    echo "make deps: missing packages; run 'sudo make deps' once"; exit 2; fi; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -q && apt-get install -y -q --no-install-recommends $$missing; \
	fi

siteboot: $(BIN)
	@cp $(BIN) $@

$(BIN): $(MAIN_OBJ) $(LIBSB) | deps
	@echo "  LD      $@"
	@$(CC) $(ALL_LDFLAGS) -o $@ $(MAIN_OBJ) $(LIBSB) $(LIBS)

$(LIBSB): $(LIB_OBJS)
	@rm -f $@
	@echo "  AR      $@"
	@ar rcs $@ $^

$(BUILD)/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/%.o: %.S | deps
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(SAN) -c -o $@ $<

# the SONAMEs and Debian packages of the libraries loaded on first use
$(BUILD)/obj/common/lazylib.o: CPPFLAGS += $(shell common/lazylib-names.sh $(LAZY_LIBS))
$(BUILD)/obj/common/lazylib.o: common/lazylib-names.sh

# the embedded YAML files are dependencies of the objects that hold them
$(BUILD)/obj/bom/tiers.o: $(wildcard bom/tiers/*.yaml)
$(BUILD)/obj/bootstrap/checklists.o: $(wildcard bootstrap/checklists/*.yaml)

$(BUILD)/tests/%: tests/unit/%.c tests/unit/testutil.h $(LIBSB) | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags check) \
	  -o $@ $< $(ALL_LDFLAGS) $(LIBSB) $(LIBS) $(shell pkg-config --libs check)

$(BUILD)/lab/%: tests/lab/%.c $(LIBSB) | deps
	@mkdir -p $(@D)
	@echo "  CCLD    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(shell pkg-config --cflags libmicrohttpd) \
	  -o $@ $< $(ALL_LDFLAGS) $(LIBSB) $(LIBS) $(shell pkg-config --libs libmicrohttpd)

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- tests -------------------------------------------------------------

check: unit integ check-docs check-banned
	@echo "make check: all passed ($(if $(SANITIZE),ASan+UBSan,release) build)"

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do \
	  echo "== $$t"; SB_TESTDATA=tests/data CK_DEFAULT_TIMEOUT=60 $$t; done

integ: siteboot $(TOOL_BINS)
	@SITEBOOT=$(abspath $(BIN)) SB_LABBIN=$(abspath $(BUILD)/lab) \
	  SB_SANITIZE=$(SANITIZE) tests/integ/run.sh

check-docs: $(BIN)
	@$(BIN) gen-man > $(BUILD)/commands.man
	@sed -e '/^\.\\" @COMMANDS@$$/{r $(BUILD)/commands.man' -e 'd}' \
	  -e 's/@VERSION@/$(VERSION)/' docs/siteboot.1.in > $(BUILD)/siteboot.1
	@cmp -s $(BUILD)/siteboot.1 docs/siteboot.1 || { \
	  echo "docs/siteboot.1 is stale: run 'make man' and commit it"; exit 1; }
	@echo "docs: siteboot.1 matches the command table"

check-banned:
	@if grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|atoi|atol|atoll|strtok)\s*\(' \
	    $(SRCS) $(UNIT_SRCS) $(TOOL_SRCS) | grep -v 'snprintf\|vsnprintf'; then \
	  echo "banned functions used (see STYLE.md): use snprintf, sb_strlcpy, sb_parse_ll"; \
	  exit 1; fi

man: $(BIN)
	@$(BIN) gen-man > $(BUILD)/commands.man
	sed -e '/^\.\\" @COMMANDS@$$/{r $(BUILD)/commands.man' -e 'd}' \
	  -e 's/@VERSION@/$(VERSION)/' docs/siteboot.1.in > docs/siteboot.1

# ---- the main job on the lab -----------------------------------------

demo: siteboot
	@tests/demo.sh

bench: siteboot $(TOOL_BINS)
	@SITEBOOT=$(abspath siteboot) SB_LABBIN=$(abspath $(BUILD)/lab) tests/bench/run.sh

# ---- fuzzing (clang + libFuzzer) ---------------------------------------

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS := $(FUZZ_SRCS:tests/fuzz/%.c=build/fuzz/%)
FUZZ_FLAGS := -std=c11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined -D_GNU_SOURCE -I.

build/fuzz/obj/%.o: %.c | deps
	@mkdir -p $(@D)
	clang $(FUZZ_FLAGS) -DSB_VERSION='"$(VERSION)"' -DSB_DATADIR='"$(PREFIX)/share/siteboot"' $(PKG_CFLAGS) -c -o $@ $<
build/fuzz/obj/%.o: %.S | deps
	@mkdir -p $(@D)
	clang -c -o $@ $<
build/fuzz/libsiteboot.a: $(LIB_SRCS:%.c=build/fuzz/obj/%.o) $(ASMS:%.S=build/fuzz/obj/%.o)
	@rm -f $@; ar rcs $@ $^
build/fuzz/%: tests/fuzz/%.c build/fuzz/libsiteboot.a
	clang $(FUZZ_FLAGS) -fsanitize=fuzzer $(PKG_CFLAGS) -o $@ $< build/fuzz/libsiteboot.a $(LIBS) -pthread

fuzz: $(FUZZ_BINS)
	@set -e; for f in $(FUZZ_BINS); do n=$$(basename $$f); \
	  mkdir -p build/fuzz/corpus-$$n; \
	  echo "== $$n for $(FUZZ_TIME)s"; \
	  $$f -max_total_time=$(FUZZ_TIME) -print_final_stats=1 -max_len=65536 \
	    build/fuzz/corpus-$$n tests/fuzz/seeds/$$n 2>&1 | \
	    grep -E 'stat::number_of_executed_units|ERROR|SUMMARY|Done' ; done

# ---- static analysis ---------------------------------------------------

lint: | deps
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem --std=c11 -D_GNU_SOURCE \
	  -I. $(MODULES)
	clang-tidy --quiet $(SRCS) -- $(CPPFLAGS) -std=c11 $(PKG_CFLAGS)

# ---- the appliance image (not part of make check) -----------------------

# Only `make image` and `make image-test` need these; they are installed on
# demand by `make image-deps`, never by `make deps`.
IMAGE_DEPS := mmdebstrap squashfs-tools xorriso grub-common grub-pc-bin \
        grub-efi-amd64-bin mtools dosfstools e2fsprogs qemu-system-x86 ovmf \
        python3-jsonschema
IMAGE_ISO := images/out/siteboot-$(VERSION)-amd64.iso

image-deps:
	@$(MAKE) --no-print-directory deps DEPS="$(IMAGE_DEPS)"

# images/build.sh is also what `siteboot image build` runs.
image: image-deps siteboot
	nice -n 10 images/build.sh

# Boot the ISO under QEMU on a serial console and check it from inside.
image-test: image-deps
	@test -f $(IMAGE_ISO) || { echo "no $(IMAGE_ISO): run 'make image' first"; exit 2; }
	images/boot-test.py $(IMAGE_ISO)

# ---- install -----------------------------------------------------------

install: siteboot
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
	  $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
	  $(DESTDIR)$(PREFIX)/share/siteboot/examples \
	  $(DESTDIR)$(PREFIX)/share/siteboot/tiers \
	  $(DESTDIR)$(PREFIX)/share/siteboot/checklists \
	  $(DESTDIR)$(PREFIX)/share/doc/siteboot
	install -m 0755 siteboot $(DESTDIR)$(PREFIX)/bin/siteboot
	install -m 0644 docs/siteboot.1 $(DESTDIR)$(PREFIX)/share/man/man1/siteboot.1
	./siteboot completion bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/siteboot
	install -m 0644 bom/examples/*.yaml $(DESTDIR)$(PREFIX)/share/siteboot/examples/
	install -m 0644 bom/tiers/*.yaml $(DESTDIR)$(PREFIX)/share/siteboot/tiers/
	if ls bootstrap/checklists/*.yaml >/dev/null 2>&1; then \
	  install -m 0644 bootstrap/checklists/*.yaml $(DESTDIR)$(PREFIX)/share/siteboot/checklists/; fi
	install -m 0644 README.md docs/*.md $(DESTDIR)$(PREFIX)/share/doc/siteboot/
	install -m 0644 images/catalog.yaml $(DESTDIR)$(PREFIX)/share/siteboot/catalog.yaml
	# the lab's Redfish emulator serves DMTF mockups (BSD 3-Clause, see LICENSE.md)
	install -d $(DESTDIR)$(PREFIX)/share/siteboot/redfish
	cp -R tests/data/redfish/. $(DESTDIR)$(PREFIX)/share/siteboot/redfish/
	chmod -R u=rwX,go=rX $(DESTDIR)$(PREFIX)/share/siteboot/redfish

clean:
	rm -rf build siteboot
