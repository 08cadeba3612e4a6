import FacedropTestSupport
import Foundation
import Glibc
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Files in a shared inbox are untrusted (docs/protocol.md §5). Each hostile input ends in one documented way: in
/// `failed/` with a clear record, or left where it is when it is not facedrop's to take. Nothing outside
/// the inbox, the outbox and the state folder is read or written, nothing is paid for, and the daemon
/// still runs and still finishes a normal job dropped afterwards. The API key canary is checked after every
/// test of the suite (``DaemonHarness/expectNoCanary(sourceLocation:)``).
extension DaemonEndToEndTests {
    /// A sidecar that passes validation: only what stands beside it decides the outcome.
    static let validSidecar = Array(#"{"model":"instantid","prompt":"photo of a woman"}"#.utf8)

    /// The orphan's `error.json` names the partner and says it is not a regular file.
    func expectRefusedPartner(
        _ daemon: DaemonHarness,
        _ stem: String,
        kept: String,
        refused: String,
        kind: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let record = try daemon.expectFailed(stem, code: "orphan", dropped: [kept], sourceLocation: sourceLocation)
        let message = record["message"]?.stringValue ?? ""
        #expect(message.contains("\(refused) is \(kind)"), "\(stem): \(message)", sourceLocation: sourceLocation)
    }

    @Test("symlinks in the inbox to /etc/shadow, to the API key file and to a photo outside are never followed")
    func symlinksInTheInbox() async throws {
        try await withDaemon(startDaemon: false, configure: { $0.inboxes[0].orphanAfter = 2 }) { server, daemon in
            daemon.keyInCredentialsDirectory = true
            try await daemon.start()
            // A real photo outside: a daemon that followed the link would make a paid job of it.
            let photo = try Fixtures.bytes(Fixtures.poseJPEG)
            let outside = daemon.folder.appending("outside-photo.jpg")
            try Data(photo).write(to: URL(fileURLWithPath: outside))
            let links = [
                "shadow.jpg": "/etc/shadow", "key.jpg": daemon.credentialFile, "photo.jpg": outside,
                "keyed.json": daemon.credentialFile,
            ]
            for (name, target) in links { try POSIXFiles.symlink(target, at: daemon.inboxPath(name)) }
            for stem in ["shadow", "key", "photo"] { try daemon.drop(Self.validSidecar, as: "\(stem).json") }
            try daemon.drop(try Fixtures.bytes(Fixtures.faceJPEG), as: "keyed.jpg")

            try await daemon.waitFor("the four partners in failed/") { daemon.jobs(.failed).count >= 4 }
            for stem in ["shadow", "key", "photo"] {
                try expectRefusedPartner(daemon, stem, kept: "\(stem).json", refused: "\(stem).jpg", kind: "a symbolic link")
            }
            try expectRefusedPartner(daemon, "keyed", kept: "keyed.jpg", refused: "keyed.json", kind: "a symbolic link")
            // Not facedrop's to take: each link is still there, pointing where it did.
            for (name, target) in links {
                #expect(POSIXFiles.linkTarget(daemon.inboxPath(name)) == target, "\(name)")
            }
            #expect(await server.ledger().submits == 0)
            daemon.expectNowhere(photo, what: "the photo behind a link")
            try await daemon.expectStillServing(server)
            #expect(daemon.jobs(.done).count == 1)
        }
    }

    @Test("links planted in the outbox are never followed: the victims outside stay intact")
    func linksInTheOutbox() async throws {
        let victims = try TemporaryDirectory(prefix: "facedrop-victims")
        let victimFile = victims.appending("victim.txt")
        let victimFolder = victims.appending("folder")
        let precious = Array("precious, not facedrop's\n".utf8)
        try Data(precious).write(to: URL(fileURLWithPath: victimFile))
        try FileManager.default.createDirectory(atPath: victimFolder, withIntermediateDirectories: true)
        try Data(precious).write(to: URL(fileURLWithPath: "\(victimFolder)/keep.txt"))

        try await withDaemon(startDaemon: false) { server, daemon in
            let outbox = daemon.outbox
            for folder in ["done", "logs"] {
                try FileManager.default.createDirectory(atPath: "\(outbox)/\(folder)", withIntermediateDirectories: true)
            }
            try POSIXFiles.symlink(victimFolder, at: "\(outbox)/done/linked")  // a job folder's name
            try POSIXFiles.symlink(victimFolder, at: "\(outbox)/done/sub")  // a subpath's folder
            try POSIXFiles.symlink(victimFolder, at: "\(outbox)/.facedrop-staging")  // swept at every start
            try POSIXFiles.symlink(victimFile, at: "\(outbox)/credits.json")
            let day = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()
            for date in [Date(), Date().addingTimeInterval(86_400)] {
                try POSIXFiles.symlink(victimFile, at: "\(outbox)/logs/facedrop-\(date.formatted(day)).jsonl")
            }
            try await daemon.start()
            try daemon.dropJob("linked", sidecar: String(decoding: Self.validSidecar, as: UTF8.self))
            let nested = try daemon.dropJob("nested", sidecar: String(decoding: Self.validSidecar, as: UTF8.self), in: "sub")
            try await daemon.waitFor("both jobs in done/") {
                FileManager.default.fileExists(atPath: "\(outbox)/done/linked_2/result.json")
                    && FileManager.default.fileExists(atPath: "\(outbox)/done/sub/nested/result.json")
            }
            // The link at the job folder's name is left alone: the job took the next free name.
            #expect(POSIXFiles.linkTarget("\(outbox)/done/linked") == victimFolder)
            #expect(try DaemonHarness.readJSON("\(outbox)/done/linked_2/result.json")["job"]?.stringValue == "linked")
            // Links where facedrop needs its own folders or files were replaced by them.
            try daemon.expectDone(nested, model: "instantid")
            for path in ["done/sub", ".facedrop-staging"] {
                #expect(POSIXFiles.status("\(outbox)/\(path)")?.kind == S_IFDIR, "\(path) is not a real folder")
            }
            try await daemon.waitFor("credits.json") { POSIXFiles.status("\(outbox)/credits.json")?.kind == S_IFREG }
            let logs = try FileManager.default.contentsOfDirectory(atPath: "\(outbox)/logs")
            #expect(logs.contains { POSIXFiles.status("\(outbox)/logs/\($0)")?.kind == S_IFREG }, "no log was written: \(logs)")
            // The victims are exactly as they were.
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: victimFile))) == precious)
            #expect(try FileManager.default.contentsOfDirectory(atPath: victimFolder) == ["keep.txt"])
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: "\(victimFolder)/keep.txt"))) == precious)
            #expect(await server.ledger().billedSubmits == 2)
            try await daemon.expectStillServing(server)
        }
    }

    @Test("a FIFO under a face or sidecar name never blocks the daemon; it stays and its partner fails as an orphan")
    func fifosInTheInbox() async throws {
        try await withDaemon(configure: { $0.inboxes[0].orphanAfter = 2 }) { server, daemon in
            try POSIXFiles.makeFIFO(daemon.inboxPath("pipe.jpg"))
            try daemon.drop(Self.validSidecar, as: "pipe.json")
            try POSIXFiles.makeFIFO(daemon.inboxPath("tube.json"))
            try daemon.drop(try Fixtures.bytes(Fixtures.faceJPEG), as: "tube.jpg")
            try POSIXFiles.makeFIFO(daemon.inboxPath("alone.png"))

            try await daemon.waitFor("both partners in failed/") { daemon.jobs(.failed).count >= 2 }
            try expectRefusedPartner(daemon, "pipe", kept: "pipe.json", refused: "pipe.jpg", kind: "a FIFO")
            try expectRefusedPartner(daemon, "tube", kept: "tube.jpg", refused: "tube.json", kind: "a FIFO")
            try await daemon.expectStillServing(server)
            for name in ["pipe.jpg", "tube.json", "alone.png"] {
                #expect(POSIXFiles.status(daemon.inboxPath(name))?.kind == S_IFIFO, "\(name) was not left in place")
            }
            daemon.expectEachEndedOnce(["pipe", "tube"] + daemon.jobs(.done))
            #expect(await server.ledger().billedSubmits == 1)
        }
    }

    @Test("device nodes (/dev/zero, /dev/null) under job names are never opened; they stay and their partners fail")
    func devicesInTheInbox() async throws {
        try await withDaemon(configure: { $0.inboxes[0].orphanAfter = 2 }) { server, daemon in
            let made = Result { () throws(POSIXFailure) in
                try POSIXFiles.makeCharacterDevice(daemon.inboxPath("zero.jpg"), major: 1, minor: 5)
            }
            if case .failure(let failure) = made, failure.errno == EPERM {
                try Test.cancel("mknod is not permitted here (no CAP_MKNOD): \(failure)")
            }
            try made.get()
            try daemon.drop(Self.validSidecar, as: "zero.json")
            try POSIXFiles.makeCharacterDevice(daemon.inboxPath("null.json"), major: 1, minor: 3)
            try daemon.drop(try Fixtures.bytes(Fixtures.faceJPEG), as: "null.jpg")

            try await daemon.waitFor("both partners in failed/") { daemon.jobs(.failed).count >= 2 }
            try expectRefusedPartner(daemon, "zero", kept: "zero.json", refused: "zero.jpg", kind: "a character device")
            try expectRefusedPartner(daemon, "null", kept: "null.jpg", refused: "null.json", kind: "a character device")
            for name in ["zero.jpg", "null.json"] {
                #expect(POSIXFiles.status(daemon.inboxPath(name))?.kind == S_IFCHR, "\(name) was not left in place")
            }
            try await daemon.expectStillServing(server)
        }
    }

    @Test("a face hard-linked from outside and still linked when claimed is refused unread; a producer's link-then-unlink is taken")
    func hardLinks() async throws {
        try await withDaemon { server, daemon in
            let secret = try Fixtures.bytes(Fixtures.poseJPEG)
            let outside = daemon.folder.appending("outside-secret.jpg")
            try Data(secret).write(to: URL(fileURLWithPath: outside))
            try daemon.drop(Self.validSidecar, as: "linked.json")
            try POSIXFiles.link(outside, to: daemon.inboxPath("linked.jpg"))
            // A producer that writes under a temporary name, links the final name and unlinks the first.
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            try daemon.drop(Self.validSidecar, as: "made.json")
            try daemon.hardLink(face, as: "made.jpg")

            try await daemon.waitFor("both jobs to end") { daemon.jobs(.done).count + daemon.jobs(.failed).count >= 2 }
            daemon.expectEachEndedOnce(["linked", "made"])
            let record = try daemon.expectFailed("linked", code: "invalid_input", dropped: ["linked.json"])
            #expect(record["message"]?.stringValue?.contains("hard link") == true, "\(record.serializedString())")
            #expect(record["inputs_left_out"]?.arrayValue?.first?["file"]?.stringValue == "linked.jpg", "\(record.serializedString())")
            // Named as dropped: the claim folder facedrop moved it into means nothing to the person reading this.
            #expect(!record.serializedString().contains(".facedrop/"), "\(record.serializedString())")
            var made = DroppedJob(subfolder: "", stem: "made", face: "made.jpg")
            made.files = ["made.jpg": face, "made.json": Self.validSidecar]
            try daemon.expectDone(made, model: "instantid")
            // The outside file lost only the inbox's name for it.
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: outside))) == secret)
            #expect(POSIXFiles.status(outside)?.links == 1)
            daemon.expectNowhere(secret, what: "the hard-linked file's bytes")
            #expect(await server.ledger().billedSubmits == 1)
            try await daemon.expectStillServing(server)
        }
    }

    @Test("a pose_image with '/' or '..' fails validation; nothing outside the job's folder is read")
    func poseImageOutsideItsFolder() async throws {
        try await withDaemon { server, daemon in
            let pose = try Fixtures.bytes(Fixtures.poseJPEG)
            try Data(pose).write(to: URL(fileURLWithPath: daemon.folder.appending("outside-pose.jpg")))
            try FileManager.default.createDirectory(atPath: daemon.inboxPath("sub"), withIntermediateDirectories: true)
            try Data(pose).write(to: URL(fileURLWithPath: daemon.inboxPath("sub/reference")))
            let names = [
                "up": "../outside-pose.jpg", "down": "sub/reference", "absolute": daemon.folder.appending("outside-pose.jpg"),
                "dots": "..", "hidden": "../inbox/up.jpg",
            ]
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            for (stem, name) in names {
                try daemon.drop(face, as: "\(stem).jpg")
                let sidecar: JSONValue = ["model": "consistent-character-with-pose", "prompt": "standing", "pose_image": .string(name)]
                try daemon.drop(sidecar.serialized(), as: "\(stem).json")
            }
            try await daemon.waitFor("every job in failed/") { daemon.jobs(.failed).count >= names.count }
            for stem in names.keys {
                let record = try daemon.expectFailed(stem, code: "invalid_sidecar", dropped: ["\(stem).jpg", "\(stem).json"])
                let fields = record["problems"]?.arrayValue?.compactMap { $0["field"]?.stringValue } ?? []
                #expect(fields.contains("pose_image"), "\(stem): \(record.serializedString())")
            }
            #expect(await server.ledger().submits == 0)
            #expect(FileManager.default.fileExists(atPath: daemon.inboxPath("sub/reference")))
            try await daemon.expectStillServing(server)
        }
    }

    @Test("a 2 GB sparse face, bytes that are no image and a PNG declaring 50000×50000 fail unread and unsent")
    func hostileImages() async throws {
        try await withDaemon { server, daemon in
            let big = daemon.inboxPath("big.png")
            _ = FileManager.default.createFile(atPath: big, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: big))
            try handle.truncate(atOffset: 2 << 30)
            try handle.close()
            try daemon.drop(Self.validSidecar, as: "big.json")
            let fakes: [String: [UInt8]] = [
                "html.jpg": Array("<html><body>not a photo</body></html>".utf8),
                "zip.png": [0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 60),
                "pdf.webp": Array("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n".utf8),
                "bomb.png": ImageBytes.pngDeclaring(width: 50_000, height: 50_000),
            ]
            for (name, bytes) in fakes {
                try daemon.drop(bytes, as: name)
                try daemon.drop(Self.validSidecar, as: "\((name as NSString).deletingPathExtension).json")
            }
            let started = ContinuousClock.now
            try await daemon.waitFor("every job in failed/") { daemon.jobs(.failed).count >= 5 }
            let elapsed = ContinuousClock.now - started
            daemon.expectEachEndedOnce(["big", "bomb", "html", "pdf", "zip"])

            let bigRecord = try daemon.expectFailed("big", code: "invalid_input", dropped: ["big.json"])
            #expect(bigRecord["message"]?.stringValue?.contains("over the limit") == true, "\(bigRecord.serializedString())")
            #expect(bigRecord["inputs_left_out"]?.arrayValue?.first?["file"]?.stringValue == "big.png")
            for stem in ["html", "pdf", "zip"] {
                let record = try daemon.expectFailed(stem, code: "invalid_input")
                #expect(record["message"]?.stringValue?.contains("not JPEG, PNG or WebP") == true, "\(record.serializedString())")
            }
            let bomb = try daemon.expectFailed("bomb", code: "invalid_input", dropped: ["bomb.json", "bomb.png"])
            #expect(bomb["message"]?.stringValue?.contains("50000×50000") == true, "\(bomb.serializedString())")
            // Reading 2 GB, or allocating 7.5 GB of pixels, would show here.
            let peak = try #require(daemon.peakResidentBytes())
            #expect(peak < 400 << 20, "peak RSS \(peak >> 20) MiB")
            #expect(elapsed < .seconds(20), "refusing took \(elapsed)")
            #expect(await server.ledger().submits == 0)
            #expect(!FileManager.default.fileExists(atPath: big), "the sparse file is still in the inbox")
            try await daemon.expectStillServing(server)
        }
    }

    @Test("sidecars over the cap, nested 100000 deep, not UTF-8, or with NaN, 1e400 or duplicate keys fail before a credit is spent")
    func hostileSidecars() async throws {
        try await withDaemon { server, daemon in
            let sidecars: [String: [UInt8]] = [
                "huge": Array(#"{"model":"instantid","prompt":""#.utf8) + Array(repeating: UInt8(ascii: "a"), count: 300 << 10) + Array(#""}"#.utf8),
                "deep": Array(repeating: UInt8(ascii: "["), count: 100_000),
                "latin1": Array(#"{"model":"instantid","prompt":"caf"#.utf8) + [0xE9] + Array(#""}"#.utf8),
                "nan": Array(#"{"model":"instantid","prompt":"x","seed":NaN}"#.utf8),
                "overflow": Array(#"{"model":"instantid","prompt":"x","seed":1e400}"#.utf8),
                "twice": Array(#"{"model":"instantid","prompt":"x","prompt":"y"}"#.utf8),
            ]
            let face = try Fixtures.bytes(Fixtures.faceJPEG)
            for (stem, bytes) in sidecars {
                try daemon.drop(face, as: "\(stem).jpg")
                try daemon.drop(bytes, as: "\(stem).json")
            }
            try await daemon.waitFor("every job in failed/") { daemon.jobs(.failed).count >= sidecars.count }
            daemon.expectEachEndedOnce(Array(sidecars.keys))
            let huge = try daemon.expectFailed("huge", code: "invalid_input", dropped: ["huge.jpg", "huge.json"])
            #expect(huge["message"]?.stringValue?.contains("over the limit") == true, "\(huge.serializedString())")
            for stem in sidecars.keys where stem != "huge" {
                let record = try daemon.expectFailed(stem, code: "invalid_sidecar", dropped: ["\(stem).jpg", "\(stem).json"])
                #expect(daemon.inputs(.failed, stem)["\(stem).json"] == sidecars[stem], "\(stem).json was not kept as dropped")
                #expect(record["message"]?.stringValue?.contains("not valid JSON") == true, "\(stem): \(record.serializedString())")
            }
            #expect(await server.ledger().submits == 0)
            try await daemon.expectStillServing(server)
        }
    }

    @Test("names with a newline, NFC/NFD twins and 255-byte names each make their own job; names that are not UTF-8 stay in place")
    func hostileNames() async throws {
        try await withDaemon { server, daemon in
            let sidecar = String(decoding: Self.validSidecar, as: UTF8.self)
            let forged = "evil\nFORGED-LINE \u{1B}[31mred"
            let composed = "caf\u{E9}"
            let decomposed = "cafe\u{301}"
            // 250-byte stems: `<stem>.json` and `<stem>.jpeg` are 255 bytes, NAME_MAX.
            let long1 = String(repeating: "a", count: 249) + "1"
            let long2 = String(repeating: "a", count: 249) + "2"
            let longAccented = String(repeating: "\u{E9}", count: 125)
            // A list, not a dictionary: as Swift String keys the twins would be one.
            var dropped: [(stem: String, job: DroppedJob)] = []
            for stem in [forged, composed, decomposed] {
                dropped.append((stem, try daemon.dropJob(stem, sidecar: sidecar)))
            }
            for stem in [long1, long2, longAccented] {
                var job = DroppedJob(subfolder: "", stem: stem, face: "\(stem).jpeg")
                job.files = [job.face: try Fixtures.bytes(Fixtures.faceJPEG), "\(stem).json": Self.validSidecar]
                try daemon.drop(job.files[job.face]!, as: job.face)
                try daemon.drop(Self.validSidecar, as: "\(stem).json")
                dropped.append((stem, job))
            }
            let notUTF8 = Array("bad".utf8) + [0xFF, 0xFE]
            try POSIXFiles.create(rawName: notUTF8 + Array(".jpg".utf8), in: daemon.inbox, contents: try Fixtures.bytes(Fixtures.faceJPEG))
            try POSIXFiles.create(rawName: notUTF8 + Array(".json".utf8), in: daemon.inbox, contents: Self.validSidecar)
            defer {
                for suffix in [".jpg", ".json"] { POSIXFiles.remove(rawName: notUTF8 + Array(suffix.utf8), in: daemon.inbox) }
            }

            let done = "\(daemon.outbox)/done"
            try await daemon.waitFor("six jobs in done/") { POSIXFiles.rawNames(in: done).count + daemon.jobs(.failed).count >= 6 }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            // Byte for byte: Swift compares Strings by canonical equivalence, which would merge the twins.
            let folders = Set(POSIXFiles.rawNames(in: done))
            #expect(folders == Set(dropped.map { Array($0.stem.utf8) }), "done/ holds \(folders.map { String(decoding: $0, as: UTF8.self).debugDescription })")
            for (stem, job) in dropped {
                let record = try daemon.record(.done, stem)
                #expect(record["job"]?.stringValue.map { Array($0.utf8) } == Array(stem.utf8))
                let outputs = record["outputs"]?.arrayValue?.compactMap { $0["file"]?.stringValue } ?? []
                #expect(!outputs.isEmpty)
                for output in outputs {
                    #expect(output.utf8.count <= 255)
                    #expect(FileManager.default.fileExists(atPath: "\(daemon.jobFolder(.done, stem))/\(output)"), "\(output.debugDescription)")
                }
                let inputs = POSIXFiles.rawNames(in: "\(daemon.jobFolder(.done, stem))/input")
                #expect(Set(inputs) == Set(job.files.keys.map { Array($0.utf8) }), "\(stem.debugDescription)")
            }
            // The two long names share 249 bytes; what was made of them does not collide.
            let outputs1 = try daemon.record(.done, long1)["outputs"]?.arrayValue?.compactMap { $0["file"]?.stringValue }
            let outputs2 = try daemon.record(.done, long2)["outputs"]?.arrayValue?.compactMap { $0["file"]?.stringValue }
            #expect(outputs1 != outputs2)

            // Not UTF-8: not facedrop's to take (it could not name the file again); left untouched.
            try await Task.sleep(for: .seconds(3))  // a periodic rescan (every 2 s here) has seen them
            let left = Set(POSIXFiles.rawNames(in: daemon.inbox))
            #expect(left.contains(notUTF8 + Array(".jpg".utf8)) && left.contains(notUTF8 + Array(".json".utf8)))
            #expect(await server.ledger().billedSubmits == 6)
            // The name with a newline cannot forge a log line: error.json and the JSONL log are JSON, and the
            // daemon's stderr lines escape control characters (ServiceLogHandler).
            #expect(try daemon.record(.done, forged)["job"]?.stringValue == forged)
            let forgedLines = daemon.log.split(separator: "\n").filter { $0.hasPrefix("FORGED-LINE") }
            #expect(forgedLines.isEmpty, "a file name started a log line of its own: \(forgedLines.prefix(3))")
            #expect(daemon.log.contains("\\nFORGED-LINE"), "the escaped name is not in the log")
            try await daemon.expectStillServing(server)
        }
    }
}

/// The outbox on a tmpfs that the test makes read-only or fills up.
extension DaemonEndToEndTests {
    /// Mounts a tmpfs as the outbox, runs a daemon on it and unmounts it afterwards; cancels the test with
    /// the reason when mounting is not allowed here.
    func withDaemonOnScratchOutbox(
        size: String,
        _ body: (EmulatorServer, DaemonHarness, ScratchMount) async throws -> Void
    ) async throws {
        let base = try TemporaryDirectory(prefix: "facedrop-scratch")
        let mounted = try ScratchMount.mount(at: base.appending("outbox"), size: size)
        if case .failure(let refusal) = mounted {
            try Test.cancel("the outbox cannot be a tmpfs here: \(refusal)")
        }
        let mount = try mounted.get()
        defer { mount.unmount() }
        try await withDaemon(configure: { $0.inboxes[0].outbox = mount.path }) { server, daemon in
            try await body(server, daemon, mount)
        }
    }

    /// Drops one job while the outbox cannot take it, waits until its images are paid for and spooled,
    /// lets `recover` fix the outbox, and checks the job is delivered whole with one billed submit.
    func expectDeliveredAfterRecovery(
        _ server: EmulatorServer,
        _ daemon: DaemonHarness,
        stem: String,
        recover: () throws -> Void
    ) async throws {
        let job = try daemon.dropJob(stem, sidecar: String(decoding: Self.validSidecar, as: UTF8.self))
        // The images go to the spool only once the outbox refused them, right after the refusal is reported.
        let spooled = { DaemonHarness.regularFiles(under: "\(daemon.state)/spool").map { ($0 as NSString).lastPathComponent } }
        try await daemon.waitFor("the images in the spool and a refused delivery", timeout: .seconds(60)) {
            daemon.occurrences(of: "a folder refuses writes; jobs wait for it") > 0 && spooled().contains { $0.hasPrefix("\(stem)-1.") }
        }
        // Said once, naming the folder, however often the delivery is tried.
        #expect(daemon.occurrences(of: "a folder refuses writes") == 1)
        #expect(daemon.log.contains("folder=\(daemon.outbox)"), "\(daemon.logTail(20))")
        #expect(!spooled().contains { $0.hasPrefix(".") }, "spool: \(spooled())")
        #expect(daemon.jobs(.done).isEmpty)
        try recover()
        try await daemon.waitFor("the job in done/", timeout: .seconds(120)) { daemon.jobs(.done).contains(stem) }
        try daemon.expectDone(job, model: "instantid")
        let ledger = await server.ledger()
        #expect(ledger.submits == 1)
        #expect(ledger.billedSubmits == 1)
        // Delivered from the spool: each image was downloaded once, however often the delivery was tried.
        let delivered = try daemon.record(.done, stem)["outputs"]?.arrayValue?.count ?? 0
        #expect(delivered > 0 && ledger.entries(for: .output).count == delivered, "outputs fetched: \(ledger.entries(for: .output).count)")
        try await daemon.waitFor("the spool to empty") {
            ((try? FileManager.default.contentsOfDirectory(atPath: "\(daemon.state)/spool")) ?? []).isEmpty
        }
        await daemon.expectClean()
        try await daemon.expectStillServing(server)
    }

    @Test("a read-only outbox keeps the paid images in the spool; they are delivered once it is writable, paid once")
    func readOnlyOutbox() async throws {
        try await withDaemonOnScratchOutbox(size: "64m") { server, daemon, mount in
            try mount.remount(readOnly: true)
            try await expectDeliveredAfterRecovery(server, daemon, stem: "readonly") {
                try mount.remount(readOnly: false)
            }
        }
    }

    @Test("a full outbox keeps the paid images in the spool; they are delivered once space is freed, paid once")
    func fullOutbox() async throws {
        try await withDaemonOnScratchOutbox(size: "4m") { server, daemon, mount in
            try await daemon.waitFor("credits.json") { daemon.creditsFile() != nil }
            // Fill the tmpfs up to the last few kilobytes.
            let filler = "\(mount.path)/filler"
            _ = FileManager.default.createFile(atPath: filler, contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
            let chunk = Data(repeating: 0x5A, count: 16 << 10)
            while (try? handle.write(contentsOf: chunk)) != nil {}
            try handle.close()
            try await expectDeliveredAfterRecovery(server, daemon, stem: "full") {
                try FileManager.default.removeItem(atPath: filler)
            }
        }
    }
}
