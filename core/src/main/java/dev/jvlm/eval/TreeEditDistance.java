package dev.jvlm.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;
import java.util.function.ToLongBiFunction;

/**
 * Zhang-Shasha ordered tree edit distance with caller-supplied costs, the algorithm of the {@code zss}
 * package that Donut calls. The distance is the optimum, so any correct implementation agrees with it.
 */
final class TreeEditDistance {

    /** An ordered labelled tree node. */
    record Node(String label, List<Node> children) {

        Node(String label) {
            this(label, new ArrayList<>());
        }
    }

    /** A tree in post-order with each node's leftmost leaf descendant and the key roots. */
    private record PostOrder(List<Node> nodes, int[] leftmostLeaf, int[] keyRoots) {

        static PostOrder of(Node root) {
            List<Node> nodes = new ArrayList<>();
            List<Integer> leftmost = new ArrayList<>();
            visit(root, nodes, leftmost);
            int size = nodes.size();
            int[] lml = leftmost.stream().mapToInt(Integer::intValue).toArray();
            // A key root is the highest-numbered node for its leftmost leaf.
            boolean[] seen = new boolean[size];
            List<Integer> roots = new ArrayList<>();
            for (int i = size - 1; i >= 0; i--) {
                if (!seen[lml[i]]) {
                    seen[lml[i]] = true;
                    roots.add(i);
                }
            }
            return new PostOrder(nodes, lml, roots.reversed().stream().mapToInt(Integer::intValue).toArray());
        }

        private static int visit(Node node, List<Node> nodes, List<Integer> leftmost) {
            int first = -1;
            for (Node child : node.children()) {
                int childLeftmost = visit(child, nodes, leftmost);
                if (first < 0) {
                    first = childLeftmost;
                }
            }
            int index = nodes.size();
            nodes.add(node);
            leftmost.add(first < 0 ? index : first);
            return first < 0 ? index : first;
        }
    }

    private TreeEditDistance() {
    }

    static long distance(Node a, Node b, ToLongFunction<Node> insertCost, ToLongFunction<Node> removeCost,
                         ToLongBiFunction<Node, Node> updateCost) {
        PostOrder x = PostOrder.of(a);
        PostOrder y = PostOrder.of(b);
        long[][] treeDistance = new long[x.nodes().size()][y.nodes().size()];
        for (int i : x.keyRoots()) {
            for (int j : y.keyRoots()) {
                forestDistance(x, y, i, j, treeDistance, insertCost, removeCost, updateCost);
            }
        }
        return treeDistance[x.nodes().size() - 1][y.nodes().size() - 1];
    }

    private static void forestDistance(PostOrder x, PostOrder y, int i, int j, long[][] treeDistance,
                                       ToLongFunction<Node> insertCost, ToLongFunction<Node> removeCost,
                                       ToLongBiFunction<Node, Node> updateCost) {
        int li = x.leftmostLeaf()[i];
        int lj = y.leftmostLeaf()[j];
        int m = i - li + 2;
        int n = j - lj + 2;
        long[][] forest = new long[m][n];
        int iOffset = li - 1;
        int jOffset = lj - 1;
        for (int p = 1; p < m; p++) {
            forest[p][0] = forest[p - 1][0] + removeCost.applyAsLong(x.nodes().get(p + iOffset));
        }
        for (int q = 1; q < n; q++) {
            forest[0][q] = forest[0][q - 1] + insertCost.applyAsLong(y.nodes().get(q + jOffset));
        }
        for (int p = 1; p < m; p++) {
            for (int q = 1; q < n; q++) {
                Node nodeA = x.nodes().get(p + iOffset);
                Node nodeB = y.nodes().get(q + jOffset);
                long remove = forest[p - 1][q] + removeCost.applyAsLong(nodeA);
                long insert = forest[p][q - 1] + insertCost.applyAsLong(nodeB);
                if (x.leftmostLeaf()[p + iOffset] == li && y.leftmostLeaf()[q + jOffset] == lj) {
                    // Both prefixes are whole trees: their distance is final.
                    long update = forest[p - 1][q - 1] + updateCost.applyAsLong(nodeA, nodeB);
                    forest[p][q] = Math.min(remove, Math.min(insert, update));
                    treeDistance[p + iOffset][q + jOffset] = forest[p][q];
                } else {
                    int pp = x.leftmostLeaf()[p + iOffset] - 1 - iOffset;
                    int qq = y.leftmostLeaf()[q + jOffset] - 1 - jOffset;
                    long subtree = forest[pp][qq] + treeDistance[p + iOffset][q + jOffset];
                    forest[p][q] = Math.min(remove, Math.min(insert, subtree));
                }
            }
        }
    }
}
