package dev.jvlm.text;

import java.util.Arrays;

/** A trie over UTF-16 units mapping strings to non-negative ints, with sorted child arrays. */
final class CharTrie {

    /** One trie node; {@link #value} is -1 where no key ends. */
    static final class Node {
        private char[] keys = new char[0];
        private Node[] children = new Node[0];
        private int value = -1;

        Node child(char c) {
            if (keys.length <= 8) {
                for (int i = 0; i < keys.length; i++) {
                    if (keys[i] == c) {
                        return children[i];
                    }
                }
                return null;
            }
            int i = Arrays.binarySearch(keys, c);
            return i >= 0 ? children[i] : null;
        }

        int value() {
            return value;
        }

        private Node childOrCreate(char c) {
            int i = Arrays.binarySearch(keys, c);
            if (i >= 0) {
                return children[i];
            }
            int at = -i - 1;
            char[] newKeys = new char[keys.length + 1];
            Node[] newChildren = new Node[keys.length + 1];
            System.arraycopy(keys, 0, newKeys, 0, at);
            System.arraycopy(children, 0, newChildren, 0, at);
            newKeys[at] = c;
            newChildren[at] = new Node();
            System.arraycopy(keys, at, newKeys, at + 1, keys.length - at);
            System.arraycopy(children, at, newChildren, at + 1, keys.length - at);
            keys = newKeys;
            children = newChildren;
            return newChildren[at];
        }
    }

    private final Node root = new Node();
    private boolean empty = true;

    void put(String key, int value) {
        Node node = root;
        for (int i = 0; i < key.length(); i++) {
            node = node.childOrCreate(key.charAt(i));
        }
        node.value = value;
        empty = false;
    }

    Node root() {
        return root;
    }

    boolean isEmpty() {
        return empty;
    }

    /**
     * The end of the longest key starting at {@code from}, or -1; {@code valueOut[0]} receives its
     * value.
     */
    int longestMatch(String text, int from, int[] valueOut) {
        Node node = root;
        int bestEnd = -1;
        for (int i = from; i < text.length(); i++) {
            node = node.child(text.charAt(i));
            if (node == null) {
                break;
            }
            if (node.value >= 0) {
                bestEnd = i + 1;
                valueOut[0] = node.value;
            }
        }
        return bestEnd;
    }
}
