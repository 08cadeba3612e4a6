import Testing

@testable import InboxWatcher

@Suite struct EventTranslatorTests {
    static let inbox = "/srv/inbox"

    /// A table with the inbox as root (wd 1), one subfolder (wd 2) and the wake folder (wd 9).
    static func table() -> WatchTable {
        var table = WatchTable()
        table.addRoot(inbox)
        table.record(1, path: inbox)
        table.record(2, path: inbox + "/jobs")
        table.wakeWd = 9
        return table
    }

    static func actions(wd: Int32, _ mask: InotifyMask, _ name: String = "") -> [WatchAction] {
        EventTranslator.actions(for: RawEvent(wd: wd, mask: mask, cookie: 0, name: Array(name.utf8)), in: table())
    }

    @Test func aRequestFileInTheWakeFolderIsReportedOnceTheWatchersOwnIsNot() {
        #expect(Self.actions(wd: 9, .create, "request-42") == [.emit(.requested)])
        #expect(Self.actions(wd: 9, .delete, "request-42") == [])
        #expect(Self.actions(wd: 9, .closeWrite, "request-42") == [])
        #expect(Self.actions(wd: 9, .create, "wake") == [])
        // The same name in an inbox is an ordinary file.
        #expect(Self.actions(wd: 1, .create, "request-42") == [.emit(.changed(path: "/srv/inbox/request-42"))])
    }

    @Test func overflowRewatchesThenAsksForARescan() {
        let actions = EventTranslator.actions(for: RawEvent(wd: -1, mask: .queueOverflow, cookie: 0, name: []), in: Self.table())
        #expect(actions == [.rewatchEverything, .emit(.overflow)])
    }

    @Test(arguments: [InotifyMask.closeWrite, .movedTo, .create, .attributes])
    func fileArrivalIsChanged(mask: InotifyMask) {
        #expect(Self.actions(wd: 2, mask, "face.jpg") == [.emit(.changed(path: "/srv/inbox/jobs/face.jpg"))])
    }

    @Test(arguments: [InotifyMask.delete, .movedFrom])
    func fileDepartureIsRemoved(mask: InotifyMask) {
        #expect(Self.actions(wd: 1, mask, "face.jpg") == [.emit(.removed(path: "/srv/inbox/face.jpg"))])
    }

    @Test func ignoredNamesGiveNothing() {
        #expect(Self.actions(wd: 1, .closeWrite, "face.jpg.part").isEmpty)
        #expect(Self.actions(wd: 1, [.create, .isDirectory], ".facedrop").isEmpty)
    }

    @Test func newFolderIsWatchedBeforeItIsAnnounced() {
        #expect(Self.actions(wd: 1, [.create, .isDirectory], "new") == [.watchFolder("/srv/inbox/new")])
        #expect(Self.actions(wd: 2, [.movedTo, .isDirectory], "in") == [.watchFolder("/srv/inbox/jobs/in")])
    }

    @Test func folderMovedAwayDropsItsLiveWatches() {
        #expect(
            Self.actions(wd: 1, [.movedFrom, .isDirectory], "jobs") == [
                .forgetTree("/srv/inbox/jobs", removeWatches: true), .emit(.folderRemoved(path: "/srv/inbox/jobs")),
            ]
        )
        #expect(
            Self.actions(wd: 1, [.delete, .isDirectory], "jobs") == [
                .forgetTree("/srv/inbox/jobs", removeWatches: false), .emit(.folderRemoved(path: "/srv/inbox/jobs")),
            ]
        )
    }

    @Test func droppedWatchesAreForgotten() {
        #expect(Self.actions(wd: 2, .ignored) == [.forgetWatch(2)])
        #expect(Self.actions(wd: 2, .deleteSelf) == [.forgetWatch(2)])
        #expect(Self.actions(wd: 2, .moveSelf).isEmpty)
        #expect(
            Self.actions(wd: 1, .deleteSelf) == [
                .forgetTree("/srv/inbox", removeWatches: false), .emit(.folderRemoved(path: "/srv/inbox")),
            ]
        )
    }

    @Test func wakeFolderAndUnknownWatchesAreSilent() {
        #expect(Self.actions(wd: 9, .create, "wake").isEmpty)
        #expect(Self.actions(wd: 9, .ignored) == [.rewatchWakeFolder])
        #expect(Self.actions(wd: 42, .closeWrite, "face.jpg").isEmpty)
    }

    @Test func nameThatIsNotUTF8IsSkipped() {
        let event = RawEvent(wd: 1, mask: .closeWrite, cookie: 0, name: [0xFF, 0x41])
        let actions = EventTranslator.actions(for: event, in: Self.table())
        #expect(actions == [.skipUndecodableName(folder: "/srv/inbox", name: "\\xFFA")])
    }

    @Test func tableRemapsAWatchThatChangedName() {
        var table = Self.table()
        table.record(2, path: "/srv/inbox/renamed")
        #expect(table.path(of: 2) == "/srv/inbox/renamed")
        #expect(table.wds(inside: "/srv/inbox/jobs").isEmpty)
        #expect(table.forgetTree("/srv/inbox").sorted() == [1, 2])
        #expect(table.count == 0)
    }
}
