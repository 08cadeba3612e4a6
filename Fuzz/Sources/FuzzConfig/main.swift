// libFuzzer target: bytes → `DaemonConfiguration.parse(toml:catalog:environment:)` as
// `DaemonConfiguration.load(path:…)` calls it after reading the file (non-UTF-8 text stops there),
// with a fixed environment, and the configuration or the error rendered as `facedrop check` prints it.
//
// A thrown error is an answer; a trap, a crash, a leak or a hang is a finding. Beyond "no crash", an
// accepted configuration must have an inbox, a refused one a problem, and neither text may show the
// API key from the environment.
import DaemonConfiguration
import Foundation
import SegmindCatalog
import StrictJSON

private let catalog: ModelCatalog = {
    do {
        return try ModelCatalog.bundled()
    } catch {
        fatalError("the bundled catalog does not load: \(error)")
    }
}()

/// A canary: no configuration text may ever show it.
private let apiKey = "sk-CANARY-fuzz-7f3a9c"

/// What systemd would set; `STATE_DIRECTORY` is the only variable the configuration reads.
private let environment = [
    "STATE_DIRECTORY": "/var/lib/facedrop:/var/lib/other",
    "SEGMIND_API_KEY": apiKey,
    "CREDENTIALS_DIRECTORY": "/run/credentials/facedrop.service",
]

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfig(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count <= DaemonConfiguration.maximumFileSize else { return 0 }
    let data = Data(bytes: start, count: count)
    guard let text = String(data: data, encoding: .utf8) else { return 0 }
    // The fuzzer may learn the canary from the checks below and write it into the file itself.
    let mayShowKey = text.contains(apiKey)
    do {
        let configuration = try DaemonConfiguration.parse(toml: text, catalog: catalog, environment: environment)
        let description = configuration.description
        consume(description)
        precondition(mayShowKey || !description.contains(apiKey), "the description shows the API key")
        precondition(!configuration.inboxes.isEmpty, "a configuration without an inbox was accepted")
        for inbox in configuration.inboxes {
            consume(JSONValue.object(inbox.defaults).serializedString(pretty: true))
        }
    } catch {
        consume(error.description)
        precondition(mayShowKey || !error.description.contains(apiKey), "the error shows the API key")
        if case .invalid(let problems) = error {
            precondition(!problems.isEmpty, "an invalid configuration without a problem")
        }
    }
    return 0
}

/// Keeps the optimizer from dropping a rendering whose result is otherwise unused.
private var renderedBytes = 0

private func consume(_ text: String) {
    renderedBytes &+= text.utf8.count
}
