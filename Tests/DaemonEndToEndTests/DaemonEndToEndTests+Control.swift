import FacedropTestSupport
import Foundation
import SegmindEmulator
import StrictJSON
import Testing

/// Pause, resume and cancel: a paused inbox sends nothing while jobs already at Segmind finish, and a cancelled
/// job is never sent, even when the daemon had already picked it, its files returned to `cancelled/`.
extension DaemonEndToEndTests {
    /// A flux-pulid sidecar whose prompt names the job, so the emulator's ledger tells which jobs were sent.
    static func namedSidecar(_ name: String) -> String {
        #"{"model":"flux-pulid","prompt":"portrait of \#(name)","width":256,"height":256,"output_format":"jpg"}"#
    }

    /// The jobs the emulator saw a submit for, by the name in their prompt.
    func submittedNames(_ server: EmulatorServer) async -> [String] {
        await server.ledger().entries.filter { $0.endpoint == .submit }.compactMap { $0.prompt?.components(separatedBy: "portrait of ").last }.sorted()
    }

    @Test("facedrop pause: a job already at Segmind finishes, new ones wait unsent (and visibly); resume sends them")
    func pauseHoldsSubmits() async throws {
        // flux-pulid runs 3 s here, long enough to pause while it is at Segmind.
        var emulator = EmulatorConfiguration(timeScale: 0.01)
        emulator.runSeconds = ["flux-pulid": 300]
        try await withDaemon(emulator: emulator) { server, daemon in
            let first = try daemon.dropJob("early", sidecar: Self.namedSidecar("early"))
            try await daemon.waitFor("the first job's submit") { await server.ledger().billedSubmits == 1 }
            let (paused, pauseText) = try await daemon.runCommand(["pause", "--config", daemon.configPath, "--reason", "maintenance", "main"])
            #expect(paused.status == 0, "\(pauseText)")
            #expect(FileManager.default.fileExists(atPath: "\(daemon.inbox)/PAUSE"))
            let later = try (1...2).map { try daemon.dropJob("late-\($0)", sidecar: Self.namedSidecar("late-\($0)")) }
            try await daemon.waitFor("the first job done and two queued", timeout: .seconds(30)) {
                try await daemon.jobCounts()["claimed"] == 2 && daemon.jobs(.done).count == 1
            }
            try await Task.sleep(for: .seconds(1))  // room for a wrong submit to show
            #expect(await submittedNames(server) == ["early"])
            let status = try await daemon.status()
            #expect(status["paused"]?.arrayValue?.compactMap(\.stringValue) == ["main"])
            let (_, text) = try await daemon.runCommand(["status", "--config", daemon.configPath])
            #expect(text.contains("paused (PAUSE file; jobs wait unsent): main"), "\(text)")
            #expect(daemon.log.contains("inbox paused by its PAUSE file"))

            let (resumed, resumeText) = try await daemon.runCommand(["resume", "--config", daemon.configPath, "main"])
            #expect(resumed.status == 0, "\(resumeText)")
            try await daemon.waitFor("the queued jobs done after the resume", timeout: .seconds(30)) { daemon.jobs(.done).count == 3 }
            #expect(await submittedNames(server) == ["early", "late-1", "late-2"])
            daemon.expectEachEndedOnce(([first] + later).map(\.outboxPath))
            await daemon.expectClean()
        }
    }

    @Test("a PAUSE file made by hand before the start holds every submit; the commands answer for a wrong inbox")
    func pauseFileAtStart() async throws {
        try await withDaemon(startDaemon: false) { server, daemon in
            try FileManager.default.createDirectory(atPath: daemon.inbox, withIntermediateDirectories: true)
            #expect(FileManager.default.createFile(atPath: "\(daemon.inbox)/PAUSE", contents: Data()))
            try await daemon.start()
            let job = try daemon.dropJob("held", sidecar: Self.namedSidecar("held"))
            try await daemon.waitFor("the job claimed") { try await daemon.jobCounts()["claimed"] == 1 }
            try await Task.sleep(for: .seconds(1))
            #expect(await server.ledger().billedSubmits == 0)
            let (wrong, wrongText) = try await daemon.runCommand(["pause", "--config", daemon.configPath, "nosuch"])
            #expect(wrong.status == 64)
            #expect(wrongText.contains("no inbox named nosuch"), "\(wrongText)")
            try FileManager.default.removeItem(atPath: "\(daemon.inbox)/PAUSE")
            try await daemon.waitFor("the job done once the file is gone", timeout: .seconds(30)) { daemon.jobs(.done).count == 1 }
            daemon.expectEachEndedOnce([job.outboxPath])
        }
    }

    @Test("facedrop cancel: unsent jobs go to cancelled/ with their files and are never sent; a done job is kept and said so")
    func cancelTakesBackUnsentJobs() async throws {
        try await withDaemon { server, daemon in
            _ = try await daemon.runCommand(["pause", "--config", daemon.configPath, "main"])
            let jobs = try (1...3).map { try daemon.dropJob("job-\($0)", sidecar: Self.namedSidecar("job-\($0)")) }
            try await daemon.waitFor("three jobs queued") { try await daemon.jobCounts()["claimed"] == 3 }
            let (cancel, text) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "--reason", "wrong prompt", "job-1", "job-2"])
            #expect(cancel.status == 0, "\(text)")
            #expect(text.contains("cancelled/ folder now"), "\(text)")
            #expect(text.components(separatedBy: "\n").filter { $0.hasPrefix("cancelled job-") }.count == 2, "\(text)")
            try await daemon.waitFor("two job folders in cancelled/") { daemon.jobs(.cancelled).count == 2 }
            #expect(daemon.jobs(.cancelled) == ["job-1", "job-2"])
            let record = try daemon.record(.cancelled, "job-1")
            #expect(record["code"]?.stringValue == "cancelled")
            #expect(record["reason"]?.stringValue == "wrong prompt")
            #expect(record["job"]?.stringValue == "job-1")
            #expect(daemon.inputs(.cancelled, "job-1") == jobs[0].files, "the files come back byte for byte")
            #expect(try await daemon.jobCounts()["cancelled"] == 2)

            _ = try await daemon.runCommand(["resume", "--config", daemon.configPath, "main"])
            try await daemon.waitFor("the third job done", timeout: .seconds(30)) { daemon.jobs(.done).count == 1 }
            #expect(await submittedNames(server) == ["job-3"])
            let (late, lateText) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "job-3", "job-9"])
            #expect(late.status == 1, "\(lateText)")
            #expect(lateText.contains("kept      job-3"), "\(lateText)")
            #expect(lateText.contains("already done"), "\(lateText)")
            #expect(lateText.contains("unknown   job-9"), "\(lateText)")
            let (none, noneText) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "--all-pending"])
            #expect(none.status == 0)
            #expect(noneText.contains("no job waiting to be sent"), "\(noneText)")
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            await daemon.expectClean()
        }
    }

    @Test("cancel against a busy queue: each job is either sent or cancelled, never both, however the race falls")
    func cancelRacesTheScheduler() async throws {
        let pace: (inout DaemonSettings) -> Void = { settings in
            settings.requestsPerMinute = 120
            settings.requestBurst = 1
        }
        try await withDaemon(configure: pace) { server, daemon in
            let names = (1...16).map { "race-\($0)" }
            for name in names { try daemon.dropJob(name, sidecar: Self.namedSidecar(name)) }
            try await daemon.waitFor("the first submit, and jobs waiting for their turns") {
                let submits = await server.ledger().billedSubmits
                let queued = try await daemon.jobCounts()["claimed"] ?? 0
                return submits >= 1 && queued >= 8
            }
            let (cancel, text) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "--inbox", "main", "--json"])
            #expect(cancel.status == 0, "\(text)")
            let answer = try JSONParser().parse(Array(text.utf8))
            let cancelled = Set(answer["jobs"]?.arrayValue?.filter { $0["outcome"]?.stringValue == "cancelled" }.compactMap { $0["job"]?.stringValue } ?? [])
            #expect(!cancelled.isEmpty, "\(text)")
            try await daemon.waitFor("every job done or cancelled", timeout: .seconds(60)) {
                daemon.jobs(.done).count + daemon.jobs(.cancelled).count == names.count
            }
            try await Task.sleep(for: .milliseconds(500))
            let sent = Set(await submittedNames(server))
            #expect(sent.isDisjoint(with: cancelled), "sent after the cancel: \(sent.intersection(cancelled))")
            #expect(Set(daemon.jobs(.cancelled)) == cancelled)
            #expect(Set(daemon.jobs(.done)) == sent)
            #expect(await server.ledger().billedSubmits == sent.count)
            #expect(daemon.jobs(.failed).isEmpty, daemon.failureSummary)
            await daemon.expectClean()
        }
    }

    @Test("cancel while the daemon is stopped: the files go to cancelled/ at its next start")
    func cancelWhileStopped() async throws {
        try await withDaemon { server, daemon in
            _ = try await daemon.runCommand(["pause", "--config", daemon.configPath, "main"])
            try daemon.dropJob("offline", sidecar: Self.namedSidecar("offline"))
            try await daemon.waitFor("the job queued") { try await daemon.jobCounts()["claimed"] == 1 }
            _ = await daemon.stop()
            let (cancel, text) = try await daemon.runCommand(["cancel", "--config", daemon.configPath, "--all-pending"])
            #expect(cancel.status == 0, "\(text)")
            #expect(text.contains("cancelled offline"), "\(text)")
            #expect(text.contains("when facedrop next starts"), "\(text)")
            #expect(daemon.jobs(.cancelled).isEmpty)
            _ = try await daemon.runCommand(["resume", "--config", daemon.configPath, "main"])
            try await daemon.start()
            try await daemon.waitFor("the job in cancelled/ after the start") { daemon.jobs(.cancelled) == ["offline"] }
            #expect(await server.ledger().billedSubmits == 0)
            await daemon.expectClean()
        }
    }
}
