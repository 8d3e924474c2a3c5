package dev.jvlm.text;

/**
 * The models that keep their vocabulary as a token-to-id map and an id-indexed token array (BPE,
 * WordPiece, WordLevel); Unigram scores pieces and keeps its own tables.
 */
abstract sealed class VocabModel implements Model permits BpeModel, WordPieceModel, WordLevelModel {
    final VocabMap vocab;
    final String[] tokensById;

    VocabModel(VocabMap vocab) {
        this.vocab = vocab;
        this.tokensById = vocab.keysById();
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
