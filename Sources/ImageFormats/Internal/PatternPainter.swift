/// Paints the deterministic picture behind ``SyntheticImage``: a smooth three-way gradient, a few
/// background shapes and a simple face, all placed and coloured from a 64-bit seed.
///
/// Smooth gradients and flat shapes keep every codec fast and the files small, while different seeds
/// give visibly different pictures.
struct PatternPainter {
    private let width: Int
    private let height: Int
    private var pixels: [UInt8]

    /// A colour as three channel values.
    struct Color {
        var red: UInt8
        var green: UInt8
        var blue: UInt8
    }

    /// An axis-aligned ellipse or rectangle, in pixels.
    private struct Shape {
        var centerX: Double
        var centerY: Double
        var radiusX: Double
        var radiusY: Double
        var isEllipse: Bool
        var color: Color

        /// The half-open span of columns the shape covers on row `y`, if any.
        func span(row y: Int, width: Int) -> Range<Int>? {
            let dy = (Double(y) + 0.5 - centerY) / radiusY
            guard abs(dy) < 1 else { return nil }
            let halfWidth = isEllipse ? radiusX * (1 - dy * dy).squareRoot() : radiusX
            let lower = max(0, Int((centerX - halfWidth).rounded()))
            let upper = min(width, Int((centerX + halfWidth).rounded()))
            return lower < upper ? lower..<upper : nil
        }
    }

    /// Tightly packed RGB rows of a `width`×`height` picture derived from `seed`.
    static func paint(width: Int, height: Int, seed: UInt64) -> [UInt8] {
        var painter = PatternPainter(width: width, height: height)
        var random = SplitMix64(seed: seed)
        painter.paint(using: &random)
        return painter.pixels
    }

    private init(width: Int, height: Int) {
        self.width = width
        self.height = height
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    private mutating func paint(using random: inout SplitMix64) {
        let start = random.color()
        let end = random.color()
        let shapes = makeShapes(using: &random)

        // Red runs left to right, green top to bottom, blue along the diagonal.
        let reds = (0..<width).map { Self.mix(start.red, end.red, $0, width) }
        let blues = (0..<(width + height)).map { Self.mix(start.blue, end.blue, $0, width + height) }
        for y in 0..<height {
            let green = Self.mix(start.green, end.green, y, height)
            var index = y * width * 3
            for x in 0..<width {
                pixels[index] = reds[x]
                pixels[index + 1] = green
                pixels[index + 2] = blues[x + y]
                index += 3
            }
            for shape in shapes {
                guard let span = shape.span(row: y, width: width) else { continue }
                fill(row: y, columns: span, with: shape.color)
            }
        }
    }

    private func makeShapes(using random: inout SplitMix64) -> [Shape] {
        let w = Double(width)
        let h = Double(height)
        var shapes: [Shape] = []
        for _ in 0..<3 {
            shapes.append(
                Shape(
                    centerX: random.unit() * w,
                    centerY: random.unit() * h,
                    radiusX: (0.05 + random.unit() * 0.15) * w,
                    radiusY: (0.05 + random.unit() * 0.15) * h,
                    isEllipse: random.next() & 1 == 0,
                    color: random.color()
                )
            )
        }
        // A head, two eyes and a mouth, so the output reads as a portrait at a glance.
        let headX = w * (0.45 + random.unit() * 0.1)
        let headY = h * (0.45 + random.unit() * 0.1)
        let headRX = w * (0.2 + random.unit() * 0.08)
        let headRY = h * (0.27 + random.unit() * 0.08)
        let eye = random.color()
        shapes.append(
            Shape(
                centerX: headX,
                centerY: headY,
                radiusX: headRX,
                radiusY: headRY,
                isEllipse: true,
                color: random.skin()
            )
        )
        for side in [-1.0, 1.0] {
            let radius = min(headRX, headRY) * 0.13
            shapes.append(
                Shape(
                    centerX: headX + side * headRX * 0.4,
                    centerY: headY - headRY * 0.2,
                    radiusX: radius,
                    radiusY: radius,
                    isEllipse: true,
                    color: eye
                )
            )
        }
        shapes.append(
            Shape(
                centerX: headX,
                centerY: headY + headRY * 0.45,
                radiusX: headRX * 0.35,
                radiusY: headRY * 0.05,
                isEllipse: false,
                color: Color(red: 150, green: 40, blue: 50)
            )
        )
        return shapes
    }

    private mutating func fill(row y: Int, columns: Range<Int>, with color: Color) {
        var index = (y * width + columns.lowerBound) * 3
        for _ in columns {
            pixels[index] = color.red
            pixels[index + 1] = color.green
            pixels[index + 2] = color.blue
            index += 3
        }
    }

    /// The channel value `position/length` of the way from `from` to `to`.
    private static func mix(_ from: UInt8, _ to: UInt8, _ position: Int, _ length: Int) -> UInt8 {
        let span = Int(to) - Int(from)
        return UInt8(Int(from) + span * position / max(length, 1))
    }
}

/// A tiny, well-mixed pseudo-random generator (Steele, Lea and Flood's SplitMix64): deterministic and
/// independent of the platform, unlike the system generator.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in 0..<1.
    mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }

    mutating func color() -> PatternPainter.Color {
        let value = next()
        return PatternPainter.Color(
            red: UInt8(truncatingIfNeeded: value),
            green: UInt8(truncatingIfNeeded: value >> 8),
            blue: UInt8(truncatingIfNeeded: value >> 16)
        )
    }

    /// A warm, light colour.
    mutating func skin() -> PatternPainter.Color {
        let value = next()
        return PatternPainter.Color(
            red: 180 + UInt8(truncatingIfNeeded: value % 70),
            green: 130 + UInt8(truncatingIfNeeded: (value >> 8) % 70),
            blue: 100 + UInt8(truncatingIfNeeded: (value >> 16) % 70)
        )
    }
}

/// 64-bit FNV-1a, to turn a trace into a seed.
func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
    bytes.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
}
