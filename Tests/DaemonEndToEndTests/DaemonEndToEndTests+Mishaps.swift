import FacedropTestSupport
import Foundation
import SegmindCatalog
import SegmindEmulator
import StrictJSON
import Testing

/// Unlucky drops and confusing moments: a file cut short, an inbox deleted and made anew, names that are not
/// UTF-8, results that are only an emulator's pictures. Each ends in something a user can see and act on.
extension DaemonEndToEndTests {
    @Test("an inbox folder deleted and made anew is watched again within seconds, not at the next rescan")
    func recreatedInbox() async throws {
        try await withDaemon(configure: { $0.inboxes[0].rescanInterval = 300 }) { server, daemon in
            try FileManager.default.removeItem(atPath: daemon.inbox)
            try await daemon.waitFor("the daemon to see the inbox go") { daemon.log.contains("the inbox folder is gone") }
            try FileManager.default.createDirectory(atPath: daemon.inbox, withIntermediateDirectories: false)
            let job = try daemon.dropJob("back-again", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job in the new inbox folder to end", timeout: .seconds(15)) {
                !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty
            }
            try daemon.expectDone(job, model: "instantid")
        }
    }

    @Test("outbox folders deleted while the daemon runs: the next job is delivered all the same, and logged")
    func deletedOutboxFolders() async throws {
        try await withDaemon { _, daemon in
            let first = try daemon.dropJob("before", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the first job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(first, model: "instantid")
            for folder in ["done", "logs", ".facedrop-staging"] {
                try FileManager.default.removeItem(atPath: "\(daemon.outbox)/\(folder)")
            }
            let second = try daemon.dropJob("after", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the second job to end", timeout: .seconds(15)) {
                !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty
            }
            try daemon.expectDone(second, model: "instantid")
            let logs = try FileManager.default.contentsOfDirectory(atPath: "\(daemon.outbox)/logs")
            #expect(!logs.isEmpty, "the delivery was not logged")
        }
    }

    @Test(
        "a face cut short (JPEG, PNG, WebP) fails as invalid_input, unbilled, naming the file as dropped",
        arguments: [Fixtures.faceJPEG, Fixtures.facePNG, Fixtures.faceWebP]
    )
    func truncatedFace(fixture: String) async throws {
        try await withDaemon { server, daemon in
            let whole = try Fixtures.bytes(fixture)
            let half = Array(whole.prefix(whole.count / 2))
            let ext = (fixture as NSString).pathExtension
            try daemon.drop(half, as: "portraits/half.\(ext)")
            try daemon.drop(Array(Self.instantSidecar.utf8), as: "portraits/half.json")
            try await daemon.waitFor("the job to end") { !daemon.jobs(.failed).isEmpty || !daemon.jobs(.done).isEmpty }
            let record = try daemon.expectFailed("portraits/half", code: "invalid_input", dropped: ["half.\(ext)", "half.json"])
            let message = record["message"]?.stringValue ?? ""
            #expect(message.contains("portraits/half.\(ext)") && message.contains("cut short"), "\(message)")
            #expect(!message.contains(".facedrop"), "the message names facedrop's claim folder: \(message)")
            #expect(record["hint"]?.stringValue?.contains("Nothing was sent") == true)
            #expect(daemon.inputs(.failed, "portraits/half")["half.\(ext)"] == half)
            #expect(await server.ledger().submits == 0)
        }
    }

    @Test("a file name that is not UTF-8 is reported once, with \\xHH for its bytes, not at every event and rescan")
    func undecodableNameReportedOnce() async throws {
        try await withDaemon { _, daemon in
            let raw = Array("bad".utf8) + [0xFF] + Array("name".utf8)
            try POSIXFiles.create(rawName: raw + Array(".jpg".utf8), in: daemon.inbox, contents: try Fixtures.bytes(Fixtures.faceJPEG))
            defer { POSIXFiles.remove(rawName: raw + Array(".jpg".utf8), in: daemon.inbox) }
            // Three rescans (every 2 s) and the file's own events.
            try await Task.sleep(for: .seconds(7))
            let lines = daemon.log.split(separator: "\n").filter { $0.contains("badname") || $0.contains("bad\\x") || $0.contains("bad\\\\x") }
            #expect(lines.count == 1, "\(lines)")
            #expect(lines.first?.contains(#": bad\xFFname.jpg: "#) == true, "\(lines)")
            #expect(lines.first?.contains(#"\\x"#) == false, "a doubled backslash: \(lines)")
            #expect(daemon.isRunning)
        }
    }

    @Test("SIGTERM with a POST on the wire says what it waits for, then exits once the request ID is journaled")
    func sigtermSaysWhatItWaitsFor() async throws {
        try await withDaemon { server, daemon in
            await server.inject(EmulatorFault(endpoint: .submit, kind: .delay(.seconds(2))))
            _ = try daemon.dropJob("on-the-wire", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the submit to be on the wire") { try await daemon.jobCounts()["submitting"] == 1 }
            let termination = try #require(await daemon.stop(grace: .seconds(20)))
            #expect(!termination.signalled && termination.status == 0, "\(termination)")
            #expect(daemon.log.contains("stopping: waiting for the answer to submits already sent to Segmind"), "\(daemon.logTail(10))")
            #expect(try await daemon.jobCounts()["submitted"] == 1)
        }
    }

    @Test("results of an emulator say so: result.json, the log at start and facedrop status")
    func emulatedResultsAreMarked() async throws {
        // The test's emulator, reached over HTTP like Segmind: the mark travels in its answers.
        try await withDaemon { _, daemon in
            let job = try daemon.dropJob("emulated", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(job, model: "instantid")
            let record = try daemon.record(.done, "emulated")
            #expect(record["emulated"] == .bool(true), "\(record.serializedString())")
            #expect(record["note"]?.stringValue?.contains("synthetic") == true)
        }
        // The built-in one: the configuration says so too.
        try await withDaemon(configure: { $0.baseURL = "emulator" }) { _, daemon in
            #expect(daemon.log.contains("EMULATED: using the built-in Segmind emulator"))
            let job = try daemon.dropJob("built-in", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the job to end") { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            try daemon.expectDone(job, model: "instantid")
            #expect(try daemon.record(.done, "built-in")["emulated"] == .bool(true))
            let status = try await daemon.status()
            #expect(status["segmind"]?["emulated"] == .bool(true), "\(status.serializedString())")
            let (_, text) = try await daemon.runCommand(["status", "--config", daemon.configPath])
            #expect(text.contains("EMULATED"), "\(text)")
        }
    }
}

/// Folders and files of the state folder that stop taking writes while the daemon runs.
extension DaemonEndToEndTests {
    /// `chattr +i` / `-i` on `paths`; the reason when this machine does not allow it (not root, no ext4/xfs).
    static func setImmutable(_ immutable: Bool, _ paths: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
        process.arguments = [immutable ? "+i" : "-i"] + paths
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw MountRefusal(reason: "chattr failed (\(process.terminationStatus)): \(output)") }
    }

    @Test("a journal that refuses writes hides no claimed job: the claim is retried while the daemon runs, the journal file named once")
    func journalRefusesWrites() async throws {
        try await withDaemon { server, daemon in
            let journal = "\(daemon.state)/journal.sqlite"
            let files = [journal, journal + "-wal"].filter { FileManager.default.fileExists(atPath: $0) }
            do {
                try Self.setImmutable(true, files)
            } catch {
                try Test.cancel("the journal cannot be made immutable here: \(error)")
            }
            defer { try? Self.setImmutable(false, files) }
            let job = try daemon.dropJob("unjournaled", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the refusal to be reported") { daemon.log.contains("a folder refuses writes") }
            #expect(daemon.log.contains("folder=\(journal)"), "\(daemon.logTail(10))")
            // The warning file is written just after the log line.
            try await daemon.waitFor("the warning file") { !daemon.warnings(endingWith: "-journal-unwritable.json").isEmpty }
            try await Task.sleep(for: .seconds(2))
            #expect(daemon.jobs(.done).isEmpty && daemon.jobs(.failed).isEmpty)
            try Self.setImmutable(false, files)
            try await daemon.waitFor("the job to end without a restart", timeout: .seconds(30)) {
                !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty
            }
            try daemon.expectDone(job, model: "instantid")
            #expect(daemon.occurrences(of: "a folder refuses writes") == 1)
            #expect(daemon.log.contains("a folder takes files again"))
            #expect(daemon.starts == 1)
            #expect(await server.ledger().submits == 1)
        }
    }
}

extension DaemonEndToEndTests {
    @Test(
        "a spool that refuses new files holds up no job the outbox takes; when the outbox refuses one too, the paid job waits (never failed), the spool's errno is named once, and it is delivered, fetched again, once the outbox takes it"
    )
    func readOnlySpool() async throws {
        let base = try TemporaryDirectory(prefix: "facedrop-spool")
        let state = base.appending("state")
        let spoolMounted = try ScratchMount.mount(at: "\(state)/spool", size: "64m")
        if case .failure(let refusal) = spoolMounted {
            try Test.cancel("the spool cannot be a tmpfs here: \(refusal)")
        }
        let spoolMount = try spoolMounted.get()
        defer { spoolMount.unmount() }
        try await withDaemon(configure: { $0.stateDirectory = state }) { server, daemon in
            try spoolMount.remount(readOnly: true)
            // The outbox takes the job: its images go there from memory, and the spool is never asked.
            let first = try daemon.dropJob("straight", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the first job in done/", timeout: .seconds(30)) { !daemon.jobs(.done).isEmpty || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(first, model: "instantid")
            #expect(!daemon.log.contains("a folder refuses writes"), "\(daemon.logTail(10))")
            // Now the outbox refuses job folders too (a file where its staging folder belongs; its warnings/ still
            // takes files): the images have nowhere to wait but memory, and the job waits.
            let staging = "\(daemon.outbox)/.facedrop-staging"
            try FileManager.default.removeItem(atPath: staging)
            #expect(FileManager.default.createFile(atPath: staging, contents: Data("x".utf8)))
            let job = try daemon.dropJob("paid", sidecar: Self.instantSidecar)
            try await daemon.waitFor("the warning file", timeout: .seconds(30)) { !daemon.warnings(endingWith: "-spool-unwritable.json").isEmpty }
            #expect(await server.ledger().billedSubmits == 2)
            #expect(daemon.log.contains("folder=\(state)/spool"), "\(daemon.logTail(10))")
            let warnings = daemon.warnings(endingWith: "-spool-unwritable.json")
            #expect(warnings.count == 1)
            if let warning = warnings.first {
                let record = try DaemonHarness.readJSON("\(daemon.outbox)/warnings/\(warning)")
                let error = record["error"]?.stringValue ?? ""
                #expect(error.contains("errno 30") && error.contains("\(state)/spool"), "\(record.serializedString())")
            }
            // Several retries later: still waiting, each folder still reported once.
            try await Task.sleep(for: .seconds(6))
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            #expect(daemon.occurrences(of: "a folder refuses writes") == 2, "\(daemon.logTail(20))")
            try FileManager.default.removeItem(atPath: staging)
            try await daemon.waitFor("the job in done/", timeout: .seconds(60)) { daemon.jobs(.done).contains("paid") || !daemon.jobs(.failed).isEmpty }
            try daemon.expectDone(job, model: "instantid")
            let ledger = await server.ledger()
            #expect(ledger.submits == 2)
            // The spool could not keep the images: the delivery that the outbox took fetched them again.
            #expect(ledger.entries(for: .output).count >= 3, "outputs fetched: \(ledger.entries(for: .output).count)")
            #expect(daemon.log.contains("a folder takes files again"))
        }
    }
}
