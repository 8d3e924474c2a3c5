package dev.jvlm.text;

/**
 * BERT's WordPiece: greedy longest-match-first from the start of the word, later pieces carrying
 * the continuing-subword prefix; a word with any unmatchable remainder becomes one unknown token.
 */
final class WordPieceModel extends VocabModel {

    private final String unkToken;
    private final String prefix;
    private final int maxInputCharsPerWord;

    WordPieceModel(VocabMap vocab, String unkToken, String prefix, int maxInputCharsPerWord, String where) {
        super(vocab);
        this.unkToken = unkToken;
        this.prefix = prefix;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        if (vocab.get(unkToken) < 0) {
            throw new TokenizerException(where + ": model WordPiece: unk_token \"" + unkToken + "\" is not in the vocabulary");
        }
    }

    @Override
    public Tokens tokenize(String word) {
        if (word.isEmpty()) {
            return Tokens.EMPTY;
        }
        if (word.codePointCount(0, word.length()) > maxInputCharsPerWord) {
            return unknown(word);
        }
        IntList ids = new IntList(4);
        IntList starts = new IntList(4);
        IntList ends = new IntList(4);
        int start = 0;
        while (start < word.length()) {
            int end = word.length();
            int found = -1;
            while (start < end) {
                String candidate = start > 0 ? prefix + word.substring(start, end) : word.substring(start, end);
                int id = vocab.get(candidate);
                if (id >= 0) {
                    found = id;
                    break;
                }
                end -= Character.charCount(word.codePointBefore(end));
            }
            if (found < 0) {
                return unknown(word);
            }
            ids.add(found);
            starts.add(start);
            ends.add(end);
            start = end;
        }
        return new Tokens(ids.toArray(), starts.toArray(), ends.toArray());
    }

    private Tokens unknown(String word) {
        return new Tokens(new int[] {vocab.get(unkToken)}, new int[] {0}, new int[] {word.length()});
    }
}
