import CurlHTTP
import Foundation
import Hashing
import ImageFormats
import Outbox
package import SegmindAPI
import SegmindCatalog
package import StrictJSON

/// Fetches a finished generation's images into memory, checking that each one is a whole image, and names them.
///
/// The caller writes them where they belong: the daemon into the outbox's job folder, or into its spool when the
/// outbox refuses them; `facedrop generate` into its staging folder.
package struct OutputDownloader: Sendable {
    package let client: SegmindClient

    package init(client: SegmindClient) {
        self.client = client
    }

    /// One output fetched into memory by ``fetch(_:job:name:progress:)``: its file name, its bytes and its description for
    /// `result.json`.
    package struct Fetched: Sendable {
        package var file: String
        package var bytes: [UInt8]
        package var entry: JSONValue
    }

    /// Fetches every output into memory, checks that it is a whole image and names it `<name>.<ext>`
    /// (`<job>-<n>` unless `name` says otherwise, given the output's number from 1 and how many there are;
    /// shortened to fit NAME_MAX when long, see ``FileNames``). Returns each with its description for
    /// `result.json` (`file`, `url`, `sha256`, `bytes`, `content_type`, `width`, `height`).
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
            info = try ImageVerifier.checkStructure(bytes)
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
