package dev.jvlm.text;

/** tokenizer.json {@code model}: turns one pre-tokenized piece into vocabulary ids. */
sealed interface Model permits VocabModel, UnigramModel {

    /** Tokens of one piece, with each token's {@code [start, end)} in the piece's UTF-16 units. */
    record Tokens(int[] ids, int[] starts, int[] ends) {

        static final Tokens EMPTY = new Tokens(new int[0], new int[0], new int[0]);

        int size() {
            return ids.length;
        }
    }

    Tokens tokenize(String piece);

    /** The id of a vocabulary entry, or -1. */
    int id(String token);

    /** The vocabulary entry with this id, or null. */
    String token(int id);

    /** The largest id in the vocabulary (-1 when empty). */
    int maxId();

    /** Number of vocabulary entries (tokenizers' {@code get_vocab_size}), where added tokens get ids from. */
    int entryCount();
}
