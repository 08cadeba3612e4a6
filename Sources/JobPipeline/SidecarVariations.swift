import Hashing
package import StrictJSON

/// A sidecar that asks for several jobs from one face: `"facedrop": {"variations": N}` (N jobs that differ by seed)
/// or `"facedrop": {"variations": [{…}, {…}]}` (one job per object, each overriding the sidecar's own keys, for
/// example another prompt or seed).
///
/// Each variation is a whole sidecar of its own, named `<stem>-v<k>`, and every one has a seed, so a variation run
/// again gives the same picture: the sidecar's seed plus k − 1 for a count, the entry's or the sidecar's seed for a
/// list, and where neither gives one (or it is -1, "random"), a seed derived from the stem and k.
package enum SidecarVariations {
    /// The most jobs one sidecar may ask for.
    package static let maxJobs = 100

    /// One job of the expansion.
    package struct Variation: Sendable, Equatable {
        package var name: String
        package var sidecar: [String: JSONValue]
    }

    /// A `variations` value that cannot be expanded.
    package struct Problem: Error, Sendable, Equatable, CustomStringConvertible {
        package let description: String
    }

    /// Whether `sidecar` asks for variations at all.
    package static func requested(in sidecar: [String: JSONValue]) -> Bool {
        sidecar["facedrop"]?["variations"] != nil
    }

    /// The jobs `sidecar` (of the drop `stem`) stands for; nil when it asks for no variations.
    package static func expand(_ sidecar: [String: JSONValue], stem: String) throws(Problem) -> [Variation]? {
        guard let value = sidecar["facedrop"]?["variations"] else { return nil }
        var base = sidecar
        if var options = base["facedrop"]?.objectValue {
            options["variations"] = nil
            base["facedrop"] = options.isEmpty ? nil : .object(options)
        }
        let overrides: [[String: JSONValue]]
        var seedStep = false
        switch value {
        case .integer(let count) where (1...Int64(maxJobs)).contains(count):
            overrides = Array(repeating: [:], count: Int(count))
            seedStep = true
        case .array(let entries) where (1...maxJobs).contains(entries.count):
            var objects: [[String: JSONValue]] = []
            for (index, entry) in entries.enumerated() {
                guard let object = entry.objectValue else {
                    throw Problem(description: "variations[\(index)] must be an object of keys to change, got \(entry.serializedString())")
                }
                if object["facedrop"]?["variations"] != nil {
                    throw Problem(description: "variations[\(index)] may not ask for variations itself")
                }
                objects.append(object)
            }
            overrides = objects
        default:
            throw Problem(description: "variations must be a count from 1 to \(maxJobs), or a list of 1 to \(maxJobs) objects of keys to change")
        }
        return overrides.enumerated().map { offset, entry in
            let number = offset + 1
            var variation = base
            for (key, value) in entry {
                if key == "facedrop", let options = value.objectValue {
                    let merged = (base["facedrop"]?.objectValue ?? [:]).merging(options) { _, fromEntry in fromEntry }
                    variation[key] = .object(merged)
                } else {
                    variation[key] = value
                }
            }
            let name = "\(stem)-v\(number)"
            if let seed = Self.seed(variation["seed"]) {
                if seedStep { variation["seed"] = .integer(seed + Int64(offset)) }
            } else {
                variation["seed"] = .integer(derivedSeed(stem: stem, number: number))
            }
            return Variation(name: name, sidecar: variation)
        }
    }

    /// A seed in 0 ..< 2^31 from the stem and the variation's number: the same drop gives the same seeds.
    package static func derivedSeed(stem: String, number: Int) -> Int64 {
        let digest = SHA256.hash(Array("\(stem)#\(number)".utf8)).bytes
        let value = digest.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        return Int64(value & 0x7FFF_FFFF)
    }

    /// A seed that is one: an integer other than -1 ("random").
    private static func seed(_ value: JSONValue?) -> Int64? {
        guard case .integer(let seed)? = value, seed != -1 else { return nil }
        return seed
    }
}
