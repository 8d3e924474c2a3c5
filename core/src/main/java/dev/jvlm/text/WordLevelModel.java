package dev.jvlm.text;

/** One token per piece: the piece itself if it is in the vocabulary, else the unknown token. */
final class WordLevelModel extends VocabModel {

    private final String unkToken;

    WordLevelModel(VocabMap vocab, String unkToken) {
        super(vocab);
        this.unkToken = unkToken;
    }

    @Override
    public Tokens tokenize(String piece) {
        int id = vocab.get(piece);
        if (id < 0 && unkToken != null) {
            id = vocab.get(unkToken);
        }
        if (id < 0) {
            throw new TokenizerException("model WordLevel: \"" + piece + "\" is not in the vocabulary and there is no unk_token");
        }
        return new Tokens(new int[] {id}, new int[] {0}, new int[] {piece.length()});
    }
}
