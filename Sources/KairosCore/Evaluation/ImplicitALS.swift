/// Implicit-feedback matrix factorization by alternating least squares (Hu, Koren and Volinsky,
/// "Collaborative Filtering for Implicit Feedback Datasets", 2008), each least-squares step solved
/// by a few conjugate-gradient iterations (Takács, Pilászy and Tikk, 2011). A batch model: the
/// baseline `kairos evaluate` compares the online strategies with.
public struct ImplicitALS: Sendable {
    /// Hyperparameters.
    public struct Parameters: Sendable, Equatable, CustomStringConvertible {
        /// Latent dimensions.
        public var factors: Int
        /// L2 regularisation.
        public var regularization: Float
        /// Confidence slope: confidence = 1 + alpha × interaction weight.
        public var alpha: Float
        /// Alternating sweeps over users and items.
        public var iterations: Int
        /// Conjugate-gradient steps per least-squares solve.
        public var conjugateGradientSteps: Int
        public var seed: UInt64

        public init(
            factors: Int = 64, regularization: Float = 0.1, alpha: Float = 10, iterations: Int = 15,
            conjugateGradientSteps: Int = 3, seed: UInt64 = 42
        ) {
            self.factors = factors
            self.regularization = regularization
            self.alpha = alpha
            self.iterations = iterations
            self.conjugateGradientSteps = conjugateGradientSteps
            self.seed = seed
        }

        public var description: String { "factors=\(factors), λ=\(regularization), α=\(alpha), iterations=\(iterations)" }
    }

    /// The observed user × item weights, by user and by item (indices are dense numbers).
    public struct Matrix: Sendable {
        public let users: Int
        public let items: Int
        var byUser: [[(index: Int32, weight: Float)]]
        var byItem: [[(index: Int32, weight: Float)]]

        /// Sums the weights of repeated pairs.
        public init(users: Int, items: Int, entries: [(user: Int, item: Int, weight: Float)]) {
            self.users = users
            self.items = items
            var cells: [Int: Float] = [:]
            for entry in entries where entry.weight > 0 { cells[entry.user &* items &+ entry.item, default: 0] += entry.weight }
            var byUser = Array(repeating: [(index: Int32, weight: Float)](), count: users)
            var byItem = Array(repeating: [(index: Int32, weight: Float)](), count: items)
            for (key, weight) in cells {
                let (user, item) = key.quotientAndRemainder(dividingBy: items)
                byUser[user].append((Int32(item), weight))
                byItem[item].append((Int32(user), weight))
            }
            self.byUser = byUser
            self.byItem = byItem
        }
    }

    public let parameters: Parameters
    /// Row-major factors, `factors` floats per user / item.
    public private(set) var userFactors: [Float]
    public private(set) var itemFactors: [Float]

    /// Trains on `matrix`.
    public init(matrix: Matrix, parameters: Parameters) {
        self.parameters = parameters
        let f = parameters.factors
        var generator = SeededGenerator(seed: parameters.seed)
        let scale = 0.1 / Float(f).squareRoot()
        userFactors = (0..<(matrix.users * f)).map { _ in Float(generator.nextDouble() - 0.5) * scale }
        itemFactors = (0..<(matrix.items * f)).map { _ in Float(generator.nextDouble() - 0.5) * scale }
        for _ in 0..<parameters.iterations {
            Self.solve(&userFactors, fixed: itemFactors, rows: matrix.byUser, parameters)
            Self.solve(&itemFactors, fixed: userFactors, rows: matrix.byItem, parameters)
        }
    }

    /// The predicted preference of a user for every item.
    public func scores(user: Int) -> [Float] {
        let f = parameters.factors
        let items = itemFactors.count / f
        var result = [Float](repeating: 0, count: items)
        userFactors.withUnsafeBufferPointer { users in
            itemFactors.withUnsafeBufferPointer { itemFactors in
                let u = users.baseAddress! + user * f
                for item in 0..<items {
                    let v = itemFactors.baseAddress! + item * f
                    var dot: Float = 0
                    for d in 0..<f { dot += u[d] * v[d] }
                    result[item] = dot
                }
            }
        }
        return result
    }

    /// One half-sweep: each row's factors re-solved against the fixed side, by conjugate gradient
    /// on (YᵀY + Yᵀ(C − I)Y + λI) x = YᵀC p, warm-started from the current factors.
    static func solve(
        _ factors: inout [Float], fixed: [Float], rows: [[(index: Int32, weight: Float)]], _ parameters: Parameters
    ) {
        let f = parameters.factors
        let count = fixed.count / f
        // YᵀY over the whole fixed side, once per half-sweep.
        var gram = [Float](repeating: 0, count: f * f)
        fixed.withUnsafeBufferPointer { y in
            for row in 0..<count {
                let v = y.baseAddress! + row * f
                for a in 0..<f where v[a] != 0 {
                    let va = v[a]
                    for b in a..<f { gram[a * f + b] += va * v[b] }
                }
            }
        }
        for a in 0..<f { for b in 0..<a { gram[a * f + b] = gram[b * f + a] } }
        for a in 0..<f { gram[a * f + a] += parameters.regularization }

        var x = [Float](repeating: 0, count: f)
        var r = [Float](repeating: 0, count: f)
        var p = [Float](repeating: 0, count: f)
        var ap = [Float](repeating: 0, count: f)
        fixed.withUnsafeBufferPointer { y in
            for (row, entries) in rows.enumerated() {
                for d in 0..<f { x[d] = factors[row * f + d] }
                // A·v = (YᵀY + λI)·v + Σ (c − 1)(y·v) y
                func multiply(_ v: [Float], into out: inout [Float]) {
                    for a in 0..<f {
                        var sum: Float = 0
                        for b in 0..<f { sum += gram[a * f + b] * v[b] }
                        out[a] = sum
                    }
                    for (index, weight) in entries {
                        let yi = y.baseAddress! + Int(index) * f
                        var dot: Float = 0
                        for d in 0..<f { dot += yi[d] * v[d] }
                        let scaled = parameters.alpha * weight * dot
                        for d in 0..<f { out[d] += scaled * yi[d] }
                    }
                }
                // r = b − A·x with b = Σ c·y
                multiply(x, into: &ap)
                for d in 0..<f { r[d] = -ap[d] }
                for (index, weight) in entries {
                    let yi = y.baseAddress! + Int(index) * f
                    let confidence = 1 + parameters.alpha * weight
                    for d in 0..<f { r[d] += confidence * yi[d] }
                }
                p = r
                var rsOld: Float = 0
                for d in 0..<f { rsOld += r[d] * r[d] }
                for _ in 0..<parameters.conjugateGradientSteps where rsOld > 1e-12 {
                    multiply(p, into: &ap)
                    var pAp: Float = 0
                    for d in 0..<f { pAp += p[d] * ap[d] }
                    guard pAp > 0 else { break }
                    let step = rsOld / pAp
                    var rsNew: Float = 0
                    for d in 0..<f {
                        x[d] += step * p[d]
                        r[d] -= step * ap[d]
                        rsNew += r[d] * r[d]
                    }
                    for d in 0..<f { p[d] = r[d] + rsNew / rsOld * p[d] }
                    rsOld = rsNew
                }
                for d in 0..<f { factors[row * f + d] = x[d] }
            }
        }
    }
}
