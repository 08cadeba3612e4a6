import CurlHTTP
import FileSystem
import Foundation
import Hashing
import ImageFormats
import Outbox
package import SegmindAPI
import SegmindCatalog
package import StrictJSON

/// Fetches a finished generation's images, into a folder or into memory, checking that each one is a whole image.
///
/// `facedrop generate` downloads into its outbox staging folder; the daemon fetches into memory and writes the
/// images into the outbox's job folder itself, or into its spool when the outbox refuses them.
package struct OutputDownloader: Sendable {
    package let client: SegmindClient

    package init(client: SegmindClient) {
        self.client = client
    }

    /// Downloads every output into `folder` as `<name>.<ext>` (`<job>-<n>` unless `name` says otherwise, given the
    /// output's number from 1 and how many there are; shortened to fit NAME_MAX when long, see ``FileNames``) and
    /// returns their descriptions for `result.json` (`file`, `url`, `sha256`, `bytes`, `content_type`, `width`,
    /// `height`). Each file is flushed to disk.
    package func download(
        _ result: GenerationResult,
        into folder: String,
        job: String,
        name: ((_ index: Int, _ total: Int) -> String)? = nil,
        progress: (_ index: Int, _ total: Int, _ bytes: Int) -> Void = { _, _, _ in }
    ) async throws(JobFailure) -> [JSONValue] {
        var outputs: [JSONValue] = []
        for (offset, output) in result.outputs.enumerated() {
            let index = offset + 1
            let temporary = "\(folder)/.download-\(index)"
            let download: Int
            do {
                download = try await client.download(output, to: temporary).byteCount
            } catch {
                // A folder that cannot take the file is this machine's problem, not the output's: `write`, so a
                // caller can keep the job and try again once the folder is fixed.
                if case .outputNotSaved = error { throw .segmind(error, stage: .write, requestID: result.requestID) }
                throw .segmind(error, stage: .download, requestID: result.requestID)
            }
            let bytes: [UInt8]
            do {
                bytes = try InputFile.read(temporary, maxBytes: client.configuration.maxOutputBytes)
            } catch {
                try? Files.remove(temporary)
                throw Self.invalid(index, error, result: result)
            }
            let checked: (file: String, entry: JSONValue)
            do throws(JobFailure) {
                checked = try Self.check(bytes, index: index, of: result, job: job, name: name)
            } catch {
                try? Files.remove(temporary)
                throw error
            }
            do {
                try Files.move(temporary, to: "\(folder)/\(checked.file)", replacing: true)
            } catch {
                throw JobFailure(
                    stage: .write,
                    code: "write_failed",
                    message: "could not write \(folder)/\(checked.file): \(error)",
                    hint: "Check the permissions and free space of \(folder).",
                    requestID: result.requestID
                )
            }
            outputs.append(checked.entry)
            progress(index, result.outputs.count, download)
        }
        return outputs
    }

    /// One output fetched into memory by ``fetch(_:job:name:)``: its file name, its bytes and its description for
    /// `result.json`.
    package struct Fetched: Sendable {
        package var file: String
        package var bytes: [UInt8]
        package var entry: JSONValue
    }

    /// Fetches every output into memory and checks it as ``download(_:into:job:name:progress:)`` does, for
    /// a caller that writes them where they belong itself: the daemon delivers them straight into the outbox's
    /// job folder, and writes them into its spool only when the outbox refuses them.
    package func fetch(
        _ result: GenerationResult,
        job: String,
        name: ((_ index: Int, _ total: Int) -> String)? = nil,
        progress: (_ index: Int, _ total: Int, _ bytes: Int) -> Void = { _, _, _ in }
    ) async throws(JobFailure) -> [Fetched] {
        var fetched: [Fetched] = []
        for (offset, output) in result.outputs.enumerated() {
            let index = offset + 1
            let bytes: [UInt8]
            do {
                bytes = try await client.fetch(output)
            } catch {
                throw .segmind(error, stage: .download, requestID: result.requestID)
            }
            let checked = try Self.check(bytes, index: index, of: result, job: job, name: name)
            fetched.append(Fetched(file: checked.file, bytes: bytes, entry: checked.entry))
            progress(index, result.outputs.count, bytes.count)
        }
        return fetched
    }

    /// Checks that output `index` (from 1) is a whole image and names it: `<name>.<ext>`, or `<job>-<n>.<ext>`.
    private static func check(
        _ bytes: [UInt8],
        index: Int,
        of result: GenerationResult,
        job: String,
        name: ((_ index: Int, _ total: Int) -> String)?
    ) throws(JobFailure) -> (file: String, entry: JSONValue) {
        let info: ImageInfo
        do {
            info = try ImageVerifier.verify(bytes)
        } catch {
            throw invalid(index, error, result: result)
        }
        let file =
            if let name {
                FileNames.fitting(name(index, result.outputs.count), suffix: ".\(info.format.fileExtension)")
            } else {
                FileNames.fitting(job, suffix: "-\(index).\(info.format.fileExtension)")
            }
        let entry: JSONValue = [
            "file": .string(file),
            "url": .string(result.outputs[index - 1].url),
            "sha256": .string(SHA256.hash(bytes).hex),
            "bytes": .integer(Int64(bytes.count)),
            "content_type": .string(info.format.contentType),
            "width": .integer(Int64(info.width)),
            "height": .integer(Int64(info.height)),
        ]
        return (file, entry)
    }

    private static func invalid(_ index: Int, _ error: any Error, result: GenerationResult) -> JobFailure {
        JobFailure(
            stage: .download,
            code: "invalid_output",
            message: "output \(index) is not a valid image: \(error)",
            hint: "Segmind returned something that is not an image; check the request in Segmind's history.",
            requestID: result.requestID
        )
    }
}
