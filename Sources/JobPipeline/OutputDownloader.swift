import CurlHTTP
import FileSystem
import Foundation
import Hashing
import ImageFormats
import Outbox
package import SegmindAPI
import SegmindCatalog
package import StrictJSON

/// Fetches a finished generation's images into a folder, checking that each one is a whole image.
///
/// Used for the outbox staging folder of `facedrop generate` and for the daemon's spool, where outputs wait
/// safe from Segmind's one-hour expiry until the outbox can take them.
package struct OutputDownloader: Sendable {
    package let client: SegmindClient

    package init(client: SegmindClient) {
        self.client = client
    }

    /// Downloads every output into `folder` as `<name>.<ext>` (`<job>-<n>` unless `name` says otherwise, given the
    /// output's number from 1 and how many there are; shortened to fit NAME_MAX when long, see ``FileNames``) and
    /// returns their descriptions for `result.json` (`file`, `url`, `sha256`, `bytes`, `content_type`, `width`,
    /// `height`).
    ///
    /// With `durably` (the default) each file is flushed to disk. The daemon's spool does without: each output
    /// is flushed once, as the copy in the outbox's job folder, and delivery checks the spooled file against the
    /// `sha256` returned here, fetching it again from its journaled URL if a power loss took it.
    package func download(
        _ result: GenerationResult,
        into folder: String,
        job: String,
        name: ((_ index: Int, _ total: Int) -> String)? = nil,
        durably: Bool = true,
        progress: (_ index: Int, _ total: Int, _ bytes: Int) -> Void = { _, _, _ in }
    ) async throws(JobFailure) -> [JSONValue] {
        var outputs: [JSONValue] = []
        for (offset, output) in result.outputs.enumerated() {
            let index = offset + 1
            let temporary = "\(folder)/.download-\(index)"
            let download: Int
            do {
                download = try await client.download(output, to: temporary, syncing: durably).byteCount
            } catch {
                // A folder that cannot take the file is this machine's problem, not the output's: `write`, so a
                // caller can keep the job and try again once the folder is fixed.
                if case .outputNotSaved = error { throw .segmind(error, stage: .write, requestID: result.requestID) }
                throw .segmind(error, stage: .download, requestID: result.requestID)
            }
            let bytes: [UInt8]
            let info: ImageInfo
            do {
                bytes = try InputFile.read(temporary, maxBytes: client.configuration.maxOutputBytes)
                info = try ImageVerifier.verify(bytes)
            } catch {
                try? Files.remove(temporary)
                throw JobFailure(
                    stage: .download,
                    code: "invalid_output",
                    message: "output \(index) is not a valid image: \(error)",
                    hint: "Segmind returned something that is not an image; check the request in Segmind's history.",
                    requestID: result.requestID
                )
            }
            let file =
                if let name {
                    FileNames.fitting(name(index, result.outputs.count), suffix: ".\(info.format.fileExtension)")
                } else {
                    FileNames.fitting(job, suffix: "-\(index).\(info.format.fileExtension)")
                }
            do {
                try Files.move(temporary, to: "\(folder)/\(file)", replacing: true)
            } catch {
                throw JobFailure(
                    stage: .write,
                    code: "write_failed",
                    message: "could not write \(folder)/\(file): \(error)",
                    hint: "Check the permissions and free space of \(folder).",
                    requestID: result.requestID
                )
            }
            outputs.append([
                "file": .string(file),
                "url": .string(output.url),
                "sha256": .string(SHA256.hash(bytes).hex),
                "bytes": .integer(Int64(download)),
                "content_type": .string(info.format.contentType),
                "width": .integer(Int64(info.width)),
                "height": .integer(Int64(info.height)),
            ])
            progress(index, result.outputs.count, download)
        }
        return outputs
    }
}
