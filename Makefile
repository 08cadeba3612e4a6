# facedrop: build and install as a systemd service.
#   make                                   release build of the daemon
#   sudo make install                      binary, user and groups, /etc/facedrop, folders, units
#   sudo make uninstall [PURGE=1]          PURGE=1 also deletes config, key, state, shared folders, user
# PREFIX (default /usr/local) and DESTDIR (staging, for packages) are honoured by install and uninstall.

PREFIX ?= /usr/local
DESTDIR ?=
PURGE ?=

.PHONY: all
all: build

.PHONY: build
build:
	swift build -c release --product facedrop

.PHONY: install
install:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' scripts/install

.PHONY: uninstall
uninstall:
	PREFIX='$(PREFIX)' DESTDIR='$(DESTDIR)' PURGE='$(PURGE)' scripts/uninstall
