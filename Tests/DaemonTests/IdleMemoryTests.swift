import Testing

@testable import Daemon

@Suite("IdleMemory: what an idle daemon hands back")
struct IdleMemoryTests {
    static let maps = """
        55d0c0000000-55d0c0400000 r--p 00000000 08:01 1234                       /usr/bin/facedrop
        55d0c0400000-55d0c5000000 r-xp 00400000 08:01 1234                       /usr/bin/facedrop
        55d0c5000000-55d0c5100000 r--p 05000000 08:01 1234                       /usr/bin/facedrop
        55d0c5100000-55d0c5140000 rw-p 05100000 08:01 1234                       /usr/bin/facedrop
        55d0c6000000-55d0c7000000 rw-p 00000000 00:00 0                          [heap]
        7f0000000000-7f0000021000 rw-p 00000000 00:00 0 
        7f1000000000-7f1000100000 r-xp 00000000 08:01 99                         /usr/lib/x86_64-linux-gnu/lib with space.so
        7f1000100000-7f1000110000 r--s 00000000 08:01 98                         /var/lib/facedrop/journal.sqlite-shm
        7f1000200000-7f1000210000 r-xp 00000000 08:01 97                         /tmp/replaced (deleted)
        7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
        7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]
        """

    @Test("only private read-only mappings of files are paged out: not written data, the heap, shared files or [vdso]")
    func choosesMappings() {
        let mappings = IdleMemory.mappings(inMaps: Self.maps)
        #expect(
            mappings == [
                .init(start: 0x55d0_c000_0000, end: 0x55d0_c040_0000, path: "/usr/bin/facedrop"),
                .init(start: 0x55d0_c040_0000, end: 0x55d0_c500_0000, path: "/usr/bin/facedrop"),
                .init(start: 0x55d0_c500_0000, end: 0x55d0_c510_0000, path: "/usr/bin/facedrop"),
                .init(start: 0x7f10_0000_0000, end: 0x7f10_0010_0000, path: "/usr/lib/x86_64-linux-gnu/lib with space.so"),
            ]
        )
        #expect(IdleMemory.mappings(inMaps: "garbage\n\nzz-yy r--p 0 0 0 /x\n").isEmpty)
    }

    @Test("resident memory is read from the status lines, in KiB")
    func readsResident() {
        let status = "Name:\tfacedrop\nVmRSS:\t   37048 kB\nRssAnon:\t    4312 kB\nRssFile:\t   32736 kB\nRssShmem:\t 0 kB\n"
        #expect(IdleMemory.resident(inStatus: status) == .init(total: 37048, file: 32736, anonymous: 4312))
        #expect(IdleMemory.resident(inStatus: "VmRSS:\t 1 kB\n") == nil)
    }

    /// Whether the resident pages then shrink is checked on the daemon itself (`idleDaemonReleasesMemory`, end to
    /// end): in this process the other suites run at the same time and fault code back in faster than it is paged
    /// out, so its resident size says nothing about the release.
    @Test("released in this process: its own mappings are chosen and the release is started, with nothing refused")
    func releasesThisProcess() throws {
        let report = IdleMemory.release()
        #expect(report.refusal == nil)
        #expect(report.mappings > 0 && report.bytes > 0)
        let before = try #require(report.before)
        #expect(before.file > 0 && before.total >= before.file)
    }
}
