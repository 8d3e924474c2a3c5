package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SequencedMap;

/**
 * Donut's {@code JSONParseEvaluator} (clovaai/donut {@code donut/util.py}): documents are normalized,
 * then compared as trees (nTED accuracy) or as flat (key path, value) fields (micro F1).
 */
final class DonutJson {

    /**
     * A document after {@code normalize_dict}: an object whose every value is a non-empty list of
     * objects or of leaf strings, with keys ordered by length, then by code points.
     */
    sealed interface Value permits Fields, Items, Leaf {
    }

    record Fields(SequencedMap<String, Items> entries) implements Value {
    }

    record Items(List<Value> items) implements Value {

        boolean allObjects() {
            return items.stream().allMatch(v -> v instanceof Fields);
        }
    }

    record Leaf(String text) implements Value {
    }

    /** One flattened field: the dotted key path and the leaf value. */
    record Field(String keyPath, String value) {
    }

    private static final String LEAF_MARK = "<leaf>";
    private static final String ROOT = "<root>";
    private static final String SUBTREE = "<subtree>";

    private static final Comparator<String> KEY_ORDER = Comparator
            .comparingInt(Py::len)
            .thenComparing((a, b) -> java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray()));

    private DonutJson() {
    }

    /** {@code normalize_dict}. Falsy input (null, false, 0, "", [], {}) becomes an empty object. */
    static Value normalize(JsonNode data) {
        if (!Py.truthy(data)) {
            return emptyDocument();
        }
        if (data.isObject()) {
            List<String> keys = new ArrayList<>();
            data.fieldNames().forEachRemaining(keys::add);
            keys.sort(KEY_ORDER);
            SequencedMap<String, Items> entries = new LinkedHashMap<>();
            for (String key : keys) {
                Value value = normalize(data.get(key));
                if (truthy(value)) {
                    entries.put(key, value instanceof Items items ? items : new Items(List.of(value)));
                }
            }
            return new Fields(entries);
        }
        if (data.isArray()) {
            List<Value> items = new ArrayList<>();
            boolean allObjects = true;
            for (JsonNode item : data) {
                allObjects &= item.isObject();
            }
            for (JsonNode item : data) {
                if (allObjects) {
                    Value value = normalize(item);
                    if (truthy(value)) {
                        items.add(value);
                    }
                } else if (item.isTextual() || item.isNumber()) {
                    // Only str, int and float survive in a mixed list; bools, nulls and nested lists do not.
                    String text = Py.strip(Py.str(item));
                    if (!text.isEmpty()) {
                        items.add(new Leaf(text));
                    }
                }
            }
            return new Items(items);
        }
        return new Items(List.of(new Leaf(Py.strip(Py.str(data)))));
    }

    private static Fields emptyDocument() {
        return new Fields(new LinkedHashMap<>());
    }

    private static boolean truthy(Value value) {
        return switch (value) {
            case Fields fields -> !fields.entries().isEmpty();
            case Items items -> !items.items().isEmpty();
            case Leaf leaf -> true;
        };
    }

    /** {@code flatten}: (dotted key path, value) for every leaf, in document order. */
    static List<Field> flatten(Value value) {
        List<Field> fields = new ArrayList<>();
        flatten(value, "", fields);
        return fields;
    }

    private static void flatten(Value value, String keyPath, List<Field> out) {
        switch (value) {
            case Fields fields -> fields.entries().forEach((key, items) ->
                    flatten(items, keyPath.isEmpty() ? key : keyPath + "." + key, out));
            case Items items -> items.items().forEach(item -> flatten(item, keyPath, out));
            case Leaf leaf -> out.add(new Field(keyPath, leaf.text()));
        }
    }

    /**
     * {@code cal_f1} counts for one document pair: each predicted field found in the remaining reference
     * fields is a true positive (and used up), every other field on either side a false match.
     */
    static FieldCounts fieldCounts(JsonNode prediction, JsonNode reference) {
        List<Field> predicted = flatten(normalize(prediction));
        List<Field> remaining = new ArrayList<>(flatten(normalize(reference)));
        long truePositives = 0;
        long falseMatches = 0;
        for (Field field : predicted) {
            if (remaining.remove(field)) {
                truePositives++;
            } else {
                falseMatches++;
            }
        }
        return new FieldCounts(truePositives, falseMatches + remaining.size());
    }

    /**
     * {@code cal_acc}: max(0, 1 - TED(prediction, reference) / TED(empty, reference)). With an empty
     * reference numpy gives inf or nan, and Python's {@code max(0, nan)} is 0.
     */
    static double treeAccuracy(JsonNode prediction, JsonNode reference) {
        TreeEditDistance.Node referenceTree = tree(normalize(reference), ROOT);
        long distance = distance(tree(normalize(prediction), ROOT), referenceTree);
        long fromEmpty = distance(tree(emptyDocument(), ROOT), referenceTree);
        double accuracy = 1 - (double) distance / fromEmpty;
        return accuracy > 0 ? accuracy : 0.0;
    }

    private static long distance(TreeEditDistance.Node a, TreeEditDistance.Node b) {
        return TreeEditDistance.distance(a, b, DonutJson::insertOrRemoveCost, DonutJson::insertOrRemoveCost,
                DonutJson::updateCost);
    }

    /** {@code construct_tree_from_dict}: keys are inner nodes, list elements "<subtree>" nodes or "<leaf>" nodes. */
    private static TreeEditDistance.Node tree(Value value, String label) {
        TreeEditDistance.Node node = new TreeEditDistance.Node(label);
        switch (value) {
            case Fields fields -> fields.entries().forEach((key, items) -> node.children().add(tree(items, key)));
            case Items items when items.allObjects() ->
                    items.items().forEach(item -> node.children().add(tree(item, SUBTREE)));
            case Items items -> items.items().forEach(item ->
                    node.children().add(new TreeEditDistance.Node(LEAF_MARK + ((Leaf) item).text())));
            case Leaf leaf -> throw new IllegalStateException("a leaf is always inside a list: " + leaf);
        }
        return node;
    }

    /** A leaf costs its text length (code points), any other node 1. */
    private static long insertOrRemoveCost(TreeEditDistance.Node node) {
        String label = node.label();
        return label.contains(LEAF_MARK) ? Py.len(label.replace(LEAF_MARK, "")) : 1;
    }

    /** Leaf to leaf: edit distance of the texts; leaf to inner node: 1 + text length; inner to inner: 0 or 1. */
    private static long updateCost(TreeEditDistance.Node a, TreeEditDistance.Node b) {
        boolean aLeaf = a.label().contains(LEAF_MARK);
        boolean bLeaf = b.label().contains(LEAF_MARK);
        if (aLeaf && bLeaf) {
            return Arithmetic.levenshtein(a.label().replace(LEAF_MARK, ""), b.label().replace(LEAF_MARK, ""));
        }
        if (aLeaf || bLeaf) {
            return 1 + Py.len((aLeaf ? a : b).label().replace(LEAF_MARK, ""));
        }
        return a.label().equals(b.label()) ? 0 : 1;
    }
}
