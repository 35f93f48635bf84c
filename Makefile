# dunghan — one non-recursive build.  `make help` lists the targets.
#
# Layout of what it makes (never in git):
#   $(BUILD)/gen/    protoc-c output          $(BUILD)/lib/   libdunghan.a
#   $(BUILD)/bin/    daemons and dunghanctl   $(BUILD)/tests/ unit tests, helpers
#   $(BUILD)/bench/  benchmark programs       $(BUILD)/run/   `make run` folder

BUILD   ?= build
# `make install` (deploy/install.sh says what goes where)
PREFIX     ?= /usr/local
SYSCONFDIR ?= /etc
UNITDIR    ?= /etc/systemd/system
DESTDIR    ?=
CC      ?= gcc
PKGS     = libczmq libzmq lmdb libprotobuf-c libsodium jansson libcurl libmicrohttpd libqrencode xlsxwriter
OPTFLAGS ?= -O2 -g
SANFLAGS ?=
CFLAGS   = $(OPTFLAGS) $(SANFLAGS) -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -MMD -MP \
           -Icommon -I$(BUILD)/gen
LDLIBS   = -lm -lpthread $(SANFLAGS)
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Debian packages the project needs; `make deps` installs only those missing.
DEB_PACKAGES = pkg-config libczmq-dev libzmq3-dev liblmdb-dev lmdb-utils \
               libprotobuf-c-dev protobuf-c-compiler libsodium-dev libjansson-dev \
               jq libcurl4-openssl-dev python3-aiosmtpd libmicrohttpd-dev libqrencode-dev \
               libxlsxwriter-dev libjs-chart.js
# Test-only: the dashboard and receipt are checked in a real browser, the QR
# code read back, and /metrics linted by Prometheus's own tool.
DEB_PACKAGES += chromium chromium-driver zbar-tools prometheus

PROTOS     := $(wildcard proto/*.proto)
GEN_C      := $(patsubst proto/%.proto,$(BUILD)/gen/%.pb-c.c,$(PROTOS))
GEN_H      := $(GEN_C:.c=.h)
COMMON_C   := $(wildcard common/*.c)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/obj/%.o,$(COMMON_C)) \
              $(patsubst $(BUILD)/gen/%.c,$(BUILD)/obj/gen/%.o,$(GEN_C))
LIB        := $(BUILD)/lib/libdunghan.a

SERVICES   := $(notdir $(patsubst %/,%,$(wildcard services/*/)))
daemon_bin  = $(if $(filter ctl,$1),$(BUILD)/bin/dunghanctl,$(BUILD)/bin/dunghan-$1)
BINS       := $(foreach s,$(SERVICES),$(call daemon_bin,$s))

UNIT_SRC   := $(wildcard tests/unit/test_*.c)
UNIT_BIN   := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_BIN := $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRC))
BENCH_SRC  := $(wildcard tests/bench/*.c)
BENCH_BIN  := $(patsubst tests/bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

.PHONY: all deps build test check bench run install clean help
# Keep generated headers and objects that pattern rules would otherwise delete as
# intermediates, so a second `make` rebuilds nothing.
.SECONDARY:
all: build

help:
	@echo "make deps    install the Debian packages that are missing"
	@echo "make         build everything into $(BUILD)/"
	@echo "make run     build and start the whole system in $(BUILD)/run/ (Ctrl-C stops it)"
	@echo "make test    build and run unit and integration tests"
	@echo "make check   the same tests built with AddressSanitizer and UBSan (build-asan/)"
	@echo "make bench   build and run the benchmark; prints 'bench <name> <value> <unit>' lines"
	@echo "make install install on a server: programs, systemd units, /etc/dunghan (PREFIX, DESTDIR)"

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' \
	        || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	    echo "deps: installing$$missing"; \
	    if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi; \
	    $$sudo apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq $$missing >/dev/null \
	        || { echo "deps: apt-get install failed"; exit 1; }; \
	fi

build: deps
	@$(MAKE) --no-print-directory binaries

.PHONY: binaries
binaries: $(LIB) $(BINS) $(UNIT_BIN) $(HELPER_BIN) $(BENCH_BIN)

$(BUILD)/gen/%.pb-c.c $(BUILD)/gen/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen
	protoc-c --c_out=$(BUILD)/gen -Iproto $<

$(BUILD)/obj/%.o: %.c | $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(PKG_CFLAGS) -c $< -o $@

$(BUILD)/obj/gen/%.o: $(BUILD)/gen/%.c $(GEN_H)
	@mkdir -p $(dir $@)
	$(CC) $(filter-out -Werror -Wextra,$(CFLAGS)) $(PKG_CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

define daemon_rule
$(call daemon_bin,$1): $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard services/$1/*.c)) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CFLAGS) -o $$@ $$^ $$(PKG_LIBS) $$(LDLIBS)
endef
$(foreach s,$(SERVICES),$(eval $(call daemon_rule,$s)))
# The dashboard's page is built into the gateway (.incbin), which -MMD does not see.
$(BUILD)/obj/services/gateway/dashboard.o: $(wildcard services/gateway/web/*)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/tests/helpers/%: $(BUILD)/obj/tests/helpers/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

$(BUILD)/bench/%: $(BUILD)/obj/tests/bench/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDLIBS)

test: build
	@tests/run.sh $(BUILD)

check: deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPTFLAGS="-O1 -g" SANFLAGS="$(SAN)" binaries
	@DH_SANITIZED=1 ASAN_OPTIONS=detect_leaks=0 tests/run.sh build-asan

bench: build
	@tests/bench/run.sh $(BUILD)

run: build
	@deploy/run.sh $(BUILD)

install: build
	@PREFIX="$(PREFIX)" SYSCONFDIR="$(SYSCONFDIR)" UNITDIR="$(UNITDIR)" DESTDIR="$(DESTDIR)" \
	    deploy/install.sh $(BUILD)

clean:
	rm -rf build build-asan

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
