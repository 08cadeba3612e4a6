import ArgumentParser
import DaemonConfiguration
import FileSystem
import Foundation
import HotFolder
import JobPipeline
import Outbox
import SegmindCatalog
import StrictJSON

/// `facedrop check`: validates the configuration and any sidecars given, without touching the network.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration and sidecars, and print what would be sent (no network)."
    )

    @Option(help: "The configuration file.")
    var config = "/etc/facedrop/facedrop.toml"

    @Argument(help: "Sidecar files to validate with the defaults of the inbox they sit in.")
    var sidecars: [String] = []

    func run() throws {
        let catalog: ModelCatalog
        let configuration: DaemonConfiguration
        do {
            catalog = try ModelCatalog.bundled()
            configuration = try DaemonConfiguration.load(path: config, catalog: catalog, environment: ProcessInfo.processInfo.environment)
        } catch {
            print("facedrop: \(config): \(error)")
            throw ExitStatus.config
        }
        print(configuration.description)
        var failed = false
        for path in sidecars {
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent().standardizedFileURL.path
            let inbox = configuration.inboxes.first { folder == $0.path || folder.hasPrefix($0.path + "/") }
            let jobs: [(label: String, sidecar: [String: JSONValue])]
            do {
                let bytes = try InputFile.read(path, maxBytes: 1 << 20)
                let name = URL(fileURLWithPath: path).lastPathComponent
                if case .ticket(let stem) = CandidateName(name: name) {
                    // A batch ticket is checked as the jobs it becomes, with their total.
                    let ticket = try BatchTicket(bytes, stem: stem, csv: name.lowercased().hasSuffix(".csv"))
                    jobs = ticket.jobs.map { ("\(path) [\($0.name), face \($0.face)]", $0.sidecar) }
                } else {
                    guard bytes.count <= 256 << 10, let object = try JSONParser().parse(bytes).objectValue else {
                        print("\(path): not a JSON object of at most 256 KiB")
                        failed = true
                        continue
                    }
                    // A sidecar that asks for variations is checked as the jobs it becomes, with their total.
                    let stem = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
                    do {
                        jobs = try SidecarVariations.expand(object, stem: stem).map { $0.map { ("\(path) [\($0.name)]", $0.sidecar) } } ?? [(path, object)]
                    } catch {
                        print("\(path): facedrop.variations: \(error)")
                        failed = true
                        continue
                    }
                }
            } catch {
                print("\(path): \(error)")
                failed = true
                continue
            }
            var total = 0.0
            for job in jobs {
                let outcome = SidecarValidator(catalog: catalog).validateSidecar(
                    job.sidecar,
                    inboxDefaults: inbox?.defaults ?? [:],
                    defaultModel: inbox?.model,
                    hasPoseImage: Self.hasPoseImage(sidecar: path)
                )
                switch outcome {
                case .success(let validated):
                    print(
                        "\(job.label): ok, \(validated.model.slug) would receive \(JSONValue.object(validated.parameters).serializedString()) plus the image(s)"
                    )
                    let estimate = CostEstimate(model: validated.model, parameters: validated.parameters, unknownCost: configuration.credits.unknownCost)
                    total += estimate.usd
                    print("  estimated cost: \(estimate.text); usual run time about \(validated.model.expectedRunSeconds) s (catalog)")
                    for warning in validated.warnings { print("  warning: \(warning)") }
                case .failure(let rejection):
                    print("\(job.label): \(rejection)")
                    failed = true
                }
            }
            if jobs.count > 1 {
                print("\(path): \(jobs.count) jobs, estimated cost in all: \(CostEstimate.amount(total)) USD")
            }
        }
        if failed { throw ExitStatus.jobFailed }
    }

    /// Whether the job would have a `<stem>.pose.<ext>` file, read by the drop protocol's own rules; the
    /// validator itself accounts for a `pose_image` the sidecar names.
    static func hasPoseImage(sidecar path: String) -> Bool {
        let url = URL(fileURLWithPath: path)
        let stem = url.deletingPathExtension().lastPathComponent
        let names = Files.names(in: url.deletingLastPathComponent().path) ?? []
        return names.contains { CandidateName(name: $0) == .pose(stem: stem) }
    }
}
