package dev.jvlm.text;

/** One token per piece: the piece itself if it is in the vocabulary, else the unknown token. */
final class WordLevelModel implements Model {

    private final VocabMap vocab;
    private final String[] tokensById;
    private final String unkToken;

    WordLevelModel(VocabMap vocab, String unkToken) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.tokensById = vocab.keysById();
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

    @Override
    public int id(String token) {
        return vocab.get(token);
    }

    @Override
    public String token(int id) {
        return id >= 0 && id < tokensById.length ? tokensById[id] : null;
    }

    @Override
    public int maxId() {
        return tokensById.length - 1;
    }

    @Override
    public int entryCount() {
        return vocab.size();
    }
}
