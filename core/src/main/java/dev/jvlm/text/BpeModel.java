package dev.jvlm.text;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * Byte-pair encoding as tokenizers implements it: a piece starts as one symbol per character
 * (with byte fallback or an unknown token for characters outside the vocabulary), then the
 * lowest-ranked adjacent pair is merged, leftmost first on ties, until no pair has a merge rule.
 */
final class BpeModel extends VocabModel {

    /** Options of a tokenizer.json BPE model besides vocabulary and merges. */
    record Options(String unkToken, String continuingSubwordPrefix, String endOfWordSuffix,
                   boolean fuseUnk, boolean byteFallback, boolean ignoreMerges) {
    }

    /** Pieces at least this long are not cached (tokenizers uses the same bound). */
    private static final int MAX_CACHED_LENGTH = 256;
    private static final int CACHE_CAPACITY = 100_000;

    private final MergeTable merges;
    private final Options options;
    private final int unkId;
    /** Id of the byte-fallback token {@code <0xXX>} for every byte value, or -1. */
    private final int[] byteTokenIds = new int[256];
    private final ConcurrentHashMap<String, Tokens> cache = new ConcurrentHashMap<>();

    BpeModel(VocabMap vocab, MergeList mergeList, Options options, String where) {
        super(vocab);
        this.options = options;
        if (options.unkToken() != null && vocab.get(options.unkToken()) < 0) {
            // tokenizers reports this only when an unknown character shows up; failing early is clearer.
            throw new TokenizerException(where + ": model BPE: unk_token \"" + options.unkToken() + "\" is not in the vocabulary");
        }
        unkId = options.unkToken() == null ? -1 : vocab.get(options.unkToken());
        for (int b = 0; b < 256; b++) {
            byteTokenIds[b] = vocab.get(String.format("<0x%02X>", b));
        }
        int prefixLength = options.continuingSubwordPrefix() == null ? 0 : options.continuingSubwordPrefix().length();
        // Three vocabulary probes per merge (Gemma 3 has 514 906 merges): done in parallel, then the
        // first unresolvable merge in file order is reported, as tokenizers reports it.
        int n = mergeList.size();
        int[] lefts = new int[n];
        int[] rights = new int[n];
        int[] merged = new int[n];
        IntStream.range(0, n).parallel().forEach(rank -> {
            int left = mergeList.leftId(rank, vocab);
            int right = mergeList.rightId(rank, vocab);
            lefts[rank] = left;
            rights[rank] = right;
            merged[rank] = left < 0 || right < 0 ? -1
                    : vocab.getConcat(tokensById[left], tokensById[right], Math.min(prefixLength, tokensById[right].length()));
        });
        merges = new MergeTable(n);
        for (int rank = 0; rank < n; rank++) {
            if (merged[rank] < 0) {
                String missing = lefts[rank] < 0 ? mergeList.left(rank) : rights[rank] < 0 ? mergeList.right(rank)
                        : tokensById[lefts[rank]] + tokensById[rights[rank]].substring(Math.min(prefixLength, tokensById[rights[rank]].length()));
                throw new TokenizerException(where + ": model BPE: merge token \"" + missing + "\" is not in the vocabulary");
            }
            merges.put(lefts[rank], rights[rank], rank, merged[rank]);
        }
    }

    @Override
    public Tokens tokenize(String piece) {
        if (piece.isEmpty()) {
            return Tokens.EMPTY;
        }
        if (options.ignoreMerges()) {
            int whole = vocab.get(piece);
            if (whole >= 0) {
                return new Tokens(new int[] {whole}, new int[] {0}, new int[] {piece.length()});
            }
        }
        Tokens cached = cache.get(piece);
        if (cached != null) {
            return cached;
        }
        Tokens tokens = mergeWord(piece);
        if (piece.length() < MAX_CACHED_LENGTH && cache.size() < CACHE_CAPACITY) {
            cache.put(piece, tokens);
        }
        return tokens;
    }

    /** The symbols of a word being merged, as a doubly linked list over arrays. */
    private static final class Symbols {
        int[] ids;
        int[] starts;
        int[] ends;
        int[] prev;
        int[] next;
        int size;

        Symbols(int capacity) {
            ids = new int[capacity];
            starts = new int[capacity];
            ends = new int[capacity];
        }

        void add(int id, int start, int end) {
            if (size == ids.length) {
                ids = Arrays.copyOf(ids, size * 2);
                starts = Arrays.copyOf(starts, size * 2);
                ends = Arrays.copyOf(ends, size * 2);
            }
            ids[size] = id;
            starts[size] = start;
            ends[size] = end;
            size++;
        }
    }

    private Tokens mergeWord(String word) {
        Symbols symbols = new Symbols(word.length() + 4);
        int unkStart = -1;
        int unkEnd = -1;
        int i = 0;
        while (i < word.length()) {
            int n = Character.charCount(word.codePointAt(i));
            boolean first = i == 0;
            boolean last = i + n == word.length();
            String symbol = word.substring(i, i + n);
            if (!first && options.continuingSubwordPrefix() != null) {
                symbol = options.continuingSubwordPrefix() + symbol;
            }
            if (last && options.endOfWordSuffix() != null) {
                symbol = symbol + options.endOfWordSuffix();
            }
            int id = vocab.get(symbol);
            if (id >= 0) {
                if (unkStart >= 0) {
                    symbols.add(unkId, unkStart, unkEnd);
                    unkStart = -1;
                }
                symbols.add(id, i, i + n);
            } else if (!addByteFallback(symbols, symbol, i, i + n)) {
                if (unkId >= 0) {
                    if (unkStart >= 0 && options.fuseUnk()) {
                        unkEnd = i + n;
                    } else {
                        if (unkStart >= 0) {
                            symbols.add(unkId, unkStart, unkEnd);
                        }
                        unkStart = i;
                        unkEnd = i + n;
                    }
                }
                // Without an unk token tokenizers silently drops the character; so do we.
            }
            i += n;
        }
        if (unkStart >= 0) {
            symbols.add(unkId, unkStart, unkEnd);
        }
        mergeAll(symbols);
        return collect(symbols);
    }

    /** Adds {@code <0xXX>} symbols for every byte of {@code symbol}, if byte fallback covers all of them. */
    private boolean addByteFallback(Symbols symbols, String symbol, int start, int end) {
        if (!options.byteFallback()) {
            return false;
        }
        byte[] bytes = symbol.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (byteTokenIds[b & 0xFF] < 0) {
                return false;
            }
        }
        for (byte b : bytes) {
            symbols.add(byteTokenIds[b & 0xFF], start, end);
        }
        return true;
    }

    private void mergeAll(Symbols s) {
        int n = s.size;
        s.prev = new int[n];
        s.next = new int[n];
        for (int k = 0; k < n; k++) {
            s.prev[k] = k - 1;
            s.next[k] = k + 1 < n ? k + 1 : -1;
        }
        boolean[] removed = new boolean[n];
        MergeQueue queue = new MergeQueue(n);
        for (int k = 0; k + 1 < n; k++) {
            long merge = merges.get(s.ids[k], s.ids[k + 1]);
            if (merge >= 0) {
                queue.push(MergeTable.rank(merge), k);
            }
        }
        while (!queue.isEmpty()) {
            long top = queue.pop();
            int rank = MergeQueue.rank(top);
            int pos = MergeQueue.position(top);
            if (removed[pos] || s.next[pos] < 0) {
                continue;
            }
            int right = s.next[pos];
            long merge = merges.get(s.ids[pos], s.ids[right]);
            // The queue may hold entries for pairs that have since changed; only a live pair merges.
            if (merge < 0 || MergeTable.rank(merge) != rank) {
                continue;
            }
            s.ids[pos] = MergeTable.mergedId(merge);
            s.ends[pos] = s.ends[right];
            s.next[pos] = s.next[right];
            removed[right] = true;
            if (s.next[pos] >= 0) {
                s.prev[s.next[pos]] = pos;
            }
            if (s.prev[pos] >= 0) {
                long withPrevious = merges.get(s.ids[s.prev[pos]], s.ids[pos]);
                if (withPrevious >= 0) {
                    queue.push(MergeTable.rank(withPrevious), s.prev[pos]);
                }
            }
            if (s.next[pos] >= 0) {
                long withNext = merges.get(s.ids[pos], s.ids[s.next[pos]]);
                if (withNext >= 0) {
                    queue.push(MergeTable.rank(withNext), pos);
                }
            }
        }
    }

    /** Walks the merged symbols in order; the first symbol always survives, absorbing its right neighbours. */
    private static Tokens collect(Symbols s) {
        if (s.size == 0) {
            return Tokens.EMPTY;
        }
        IntList ids = new IntList(s.size);
        IntList starts = new IntList(s.size);
        IntList ends = new IntList(s.size);
        for (int k = 0; k >= 0; k = s.next[k]) {
            ids.add(s.ids[k]);
            starts.add(s.starts[k]);
            ends.add(s.ends[k]);
        }
        return new Tokens(ids.toArray(), starts.toArray(), ends.toArray());
    }

    /** A binary min-heap of (rank, position) packed in longs: lowest rank first, then leftmost. */
    private static final class MergeQueue {
        private long[] heap;
        private int size;

        MergeQueue(int capacity) {
            heap = new long[Math.max(capacity, 4)];
        }

        static int rank(long entry) {
            return (int) (entry >>> 32);
        }

        static int position(long entry) {
            return (int) entry;
        }

        boolean isEmpty() {
            return size == 0;
        }

        void push(int rank, int position) {
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            long entry = ((long) rank << 32) | position;
            int k = size++;
            while (k > 0) {
                int parent = (k - 1) >>> 1;
                if (heap[parent] <= entry) {
                    break;
                }
                heap[k] = heap[parent];
                k = parent;
            }
            heap[k] = entry;
        }

        long pop() {
            long top = heap[0];
            long last = heap[--size];
            int k = 0;
            while (true) {
                int child = 2 * k + 1;
                if (child >= size) {
                    break;
                }
                if (child + 1 < size && heap[child + 1] < heap[child]) {
                    child++;
                }
                if (heap[child] >= last) {
                    break;
                }
                heap[k] = heap[child];
                k = child;
            }
            heap[k] = last;
            return top;
        }
    }
}
