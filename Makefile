# facedrop: build and install as a systemd service.
#   make                                   release build of the daemon
#   sudo make install                      binary, user and groups, /etc/facedrop, folders, units
#   sudo make install-instance INSTANCE=N  config, key and folders for the template's facedrop@N
#   sudo make uninstall [PURGE=1]          PURGE=1 also deletes config, key, state, shared folders, user
#   make deb [OUT_DIR=...]                 facedrop_VERSION_ARCH.deb (scripts/deb) for apt-get install ./facedrop_*.deb
# PREFIX (default /usr/local) and DESTDIR (staging, for packages) are honoured by install and uninstall;
# install strips the binary's debug information unless STRIP=0.

PREFIX ?= /usr/local
DESTDIR ?=
PURGE ?=
INSTANCE ?=
STRIP ?= 1
OUT_DIR ?=

.PHONY: all
all: build

.PHONY: build
build:
	swift build -c release --static-swift-stdlib --product facedrop

.PHONY: install
install:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' STRIP='$(STRIP)' scripts/install

.PHONY: install-instance
install-instance:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' scripts/install --instance '$(INSTANCE)'

.PHONY: uninstall
uninstall:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' PURGE='$(PURGE)' scripts/uninstall

.PHONY: deb
deb:
	OUT_DIR='$(OUT_DIR)' scripts/deb

.PHONY: bench
bench:
	BENCH_COMMAND="make bench" bench/run
