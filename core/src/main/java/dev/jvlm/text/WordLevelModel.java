package dev.jvlm.text;

import java.util.Map;

/** One token per piece: the piece itself if it is in the vocabulary, else the unknown token. */
final class WordLevelModel implements Model {

    private final Map<String, Integer> vocab;
    private final String[] tokensById;
    private final String unkToken;

    WordLevelModel(Map<String, Integer> vocab, String unkToken) {
        this.vocab = vocab;
        this.unkToken = unkToken;
        this.tokensById = VocabArrays.byId(vocab);
    }

    @Override
    public Tokens tokenize(String piece) {
        Integer id = vocab.get(piece);
        if (id == null) {
            id = unkToken == null ? null : vocab.get(unkToken);
        }
        if (id == null) {
            throw new TokenizerException("model WordLevel: \"" + piece + "\" is not in the vocabulary and there is no unk_token");
        }
        return new Tokens(new int[] {id}, new int[] {0}, new int[] {piece.length()});
    }

    @Override
    public int id(String token) {
        Integer id = vocab.get(token);
        return id == null ? -1 : id;
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
