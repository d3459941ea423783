extension RandomAccessCollection {
    /// The first index whose element satisfies `isInSecondPart`, for a collection partitioned by
    /// it (every element that fails it comes before every element that passes it); `endIndex`
    /// when none does. Found by halving: the one binary search every stage uses (the first time
    /// at or after a limit in a time-ordered list, the session holding a node, the branch of an
    /// index).
    func partitionIndex(where isInSecondPart: (Element) throws -> Bool) rethrows -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if try isInSecondPart(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
