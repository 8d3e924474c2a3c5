package dev.jvlm.text;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A Hugging Face tokenizer read from tokenizer.json (plus tokenizer_config.json and
 * special_tokens_map.json when present), encoding and decoding exactly as the tokenizers library
 * and transformers' fast tokenizers do. Instances are immutable and safe to share between threads.
 *
 * <p>Encoding runs tokenizers' pipeline: added tokens are cut out of the raw text, the rest is
 * normalized (and cut at added tokens that match normalized text), pre-tokenized into pieces,
 * each piece tokenized by the model, and the post-processor adds special tokens on request.
 */
public final class Tokenizer {

    static final String TOKENIZER_FILE = "tokenizer.json";

    /** transformers classes whose tokenizer always rebuilds the post-processor from add_bos_token/add_eos_token. */
    private static final Set<String> BOS_EOS_FLAG_CLASSES = Set.of("LlamaTokenizer", "LlamaTokenizerFast",
            "CodeLlamaTokenizer", "CodeLlamaTokenizerFast", "GemmaTokenizer", "GemmaTokenizerFast");

    private final String name;
    private final Normalizer normalizer;
    private final PreTokenizer preTokenizer;
    private final Model model;
    private final PostProcessor postProcessor;
    private final Decoder decoder;
    private final AddedVocabulary addedVocabulary;
    private final TokenizerConfig config;

    private Tokenizer(String name, TokenizerJsonReader.Parts parts, TokenizerConfig config) {
        this.name = name;
        this.normalizer = parts.normalizer();
        this.preTokenizer = parts.preTokenizer();
        this.model = parts.model();
        this.decoder = parts.decoder();
        this.config = config;
        this.addedVocabulary = new AddedVocabulary(parts.addedTokens(), model, normalizer);
        this.postProcessor = transformersPostProcessor(parts.postProcessor());
    }

    /**
     * Loads the tokenizer of a model directory: tokenizer.json (required), tokenizer_config.json
     * and special_tokens_map.json (optional).
     *
     * @throws TokenizerException if tokenizer.json is missing or invalid, or uses a component jvlm does not implement
     */
    public static Tokenizer load(Path modelDir) {
        Path file = modelDir.resolve(TOKENIZER_FILE);
        if (!Files.isRegularFile(file)) {
            throw new TokenizerException(file + ": not found (a model directory needs a Hugging Face tokenizer.json)");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(file.toString(), in, TokenizerConfig.read(modelDir));
        } catch (IOException e) {
            throw new TokenizerException(file + ": cannot be read: " + e.getMessage(), e);
        }
    }

    /** Reads tokenizer.json content from a stream; {@code name} is used in error messages. */
    static Tokenizer read(String name, InputStream tokenizerJson, TokenizerConfig config) {
        return new Tokenizer(name, TokenizerJsonReader.read(tokenizerJson, name), config);
    }

    /**
     * transformers replaces the file's post-processor by a template built from tokenizer_config.json's
     * {@code add_bos_token} and {@code add_eos_token}: always for the Llama and Gemma tokenizer classes
     * (where BOS defaults to on), and for other classes when the config sets either flag (both default
     * to off). A flag whose token the config does not name adds nothing, as in transformers 5.
     */
    private PostProcessor transformersPostProcessor(PostProcessor fromFile) {
        String tokenizerClass = config.tokenizerClass();
        boolean llamaLike = tokenizerClass != null && BOS_EOS_FLAG_CLASSES.contains(tokenizerClass);
        Boolean addBosFlag = config.flag("add_bos_token");
        Boolean addEosFlag = config.flag("add_eos_token");
        if (!llamaLike && addBosFlag == null && addEosFlag == null) {
            return fromFile;
        }
        boolean addBos = addBosFlag != null ? addBosFlag : llamaLike;
        boolean addEos = addEosFlag != null && addEosFlag;
        List<PostProcessor.TemplatePiece> pieces = new ArrayList<>();
        if (addBos && config.specialToken("bos_token") != null) {
            pieces.add(new PostProcessor.TemplatePiece.Special(new int[] {requiredSpecialId("bos_token")}));
        }
        pieces.add(new PostProcessor.TemplatePiece.Input());
        if (addEos && config.specialToken("eos_token") != null) {
            pieces.add(new PostProcessor.TemplatePiece.Special(new int[] {requiredSpecialId("eos_token")}));
        }
        return new PostProcessor.Template(List.copyOf(pieces));
    }

    private int requiredSpecialId(String role) {
        String content = config.specialToken(role);
        int id = tokenId(content);
        if (id < 0) {
            throw new TokenizerException(name + ": tokenizer_config.json asks to add " + role + " \"" + content
                    + "\", which is not in the vocabulary");
        }
        return id;
    }

    /** Token ids of {@code text}; with {@code addSpecialTokens} the post-processor's special tokens are added (e.g. BOS). */
    public int[] encode(String text, boolean addSpecialTokens) {
        return encodeInternal(text, addSpecialTokens).ids().toArray();
    }

    /** Token ids of {@code text} with the span of the input each token came from. */
    public Encoding encodeWithOffsets(String text, boolean addSpecialTokens) {
        PostProcessor.Encoded e = encodeInternal(text, addSpecialTokens);
        return new Encoding(e.ids().toArray(), e.starts().toArray(), e.ends().toArray());
    }

    private PostProcessor.Encoded encodeInternal(String text, boolean addSpecialTokens) {
        List<AddedVocabulary.Segment> segments = new ArrayList<>();
        for (AddedVocabulary.Segment segment : addedVocabulary.splitRaw(NormalizedText.of(text))) {
            if (segment.isAddedToken()) {
                segments.add(segment);
            } else {
                NormalizedText normalized = normalizer == null ? segment.text() : normalizer.apply(segment.text());
                addedVocabulary.splitNormalized(normalized, segments);
            }
        }
        IntList ids = new IntList(text.length() / 3 + 4);
        IntList starts = new IntList(text.length() / 3 + 4);
        IntList ends = new IntList(text.length() / 3 + 4);
        List<NormalizedText> pieces = new ArrayList<>();
        for (AddedVocabulary.Segment segment : segments) {
            NormalizedText segmentText = segment.text();
            if (segment.isAddedToken()) {
                ids.add(segment.addedTokenId());
                starts.add(segmentText.originalStart(0));
                ends.add(segmentText.originalEnd(segmentText.length() - 1));
                continue;
            }
            pieces.clear();
            if (preTokenizer == null) {
                pieces.add(segmentText);
            } else {
                preTokenizer.apply(segmentText, pieces);
            }
            for (NormalizedText piece : pieces) {
                Model.Tokens tokens = model.tokenize(piece.text());
                for (int i = 0; i < tokens.size(); i++) {
                    ids.add(tokens.ids()[i]);
                    int start = tokens.starts()[i];
                    int end = tokens.ends()[i];
                    starts.add(piece.originalStart(start));
                    ends.add(end > start ? piece.originalEnd(end - 1) : piece.originalStart(start));
                }
            }
        }
        PostProcessor.Encoded encoded = new PostProcessor.Encoded(ids, starts, ends);
        return postProcessor == null ? encoded : postProcessor.process(encoded, addSpecialTokens, this::tokenText);
    }

    /** The string tokenizers gives a token id in an encoding: an added token's content, else the vocabulary entry. */
    private String tokenText(int id) {
        String added = addedVocabulary.content(id);
        return added != null ? added : model.token(id);
    }

    /**
     * Text of {@code ids} as transformers' {@code decode()} returns it: the tokenizer.json decoder's
     * output, cleaned up when tokenizer_config.json sets {@code clean_up_tokenization_spaces}.
     */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        return decode(ids, skipSpecialTokens, config.cleanUpTokenizationSpaces());
    }

    /**
     * Text of {@code ids}. With {@code cleanup} false this is the raw tokenizer.json decoder output;
     * with it true, transformers' {@code clean_up_tokenization} is applied on top.
     *
     * @throws TokenizerException for an id that is neither in the vocabulary nor an added token
     */
    public String decode(int[] ids, boolean skipSpecialTokens, boolean cleanup) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            String token = addedVocabulary.decodingText(id);
            if (token == null) {
                token = model.token(id);
            }
            if (token == null) {
                // tokenizers silently drops unknown ids; an id outside the vocabulary is a caller bug, so say so.
                throw new TokenizerException(name + ": token id " + id + " is not in the vocabulary (size " + vocabSize() + ")");
            }
            if (skipSpecialTokens && addedVocabulary.isSpecial(token)) {
                continue;
            }
            tokens.add(token);
        }
        String text = decoder == null ? String.join(" ", tokens) : decoder.decode(tokens);
        return cleanup ? cleanUpTokenization(text) : text;
    }

    /** transformers' {@code clean_up_tokenization}: removes spaces before punctuation and English contractions. */
    static String cleanUpTokenization(String text) {
        return text.replace(" .", ".").replace(" ?", "?").replace(" !", "!").replace(" ,", ",").replace(" ' ", "'")
                .replace(" n't", "n't").replace(" 'm", "'m").replace(" 's", "'s").replace(" 've", "'ve")
                .replace(" 're", "'re");
    }

    /** Whether decode() cleans up tokenization spaces by default (tokenizer_config.json's setting). */
    public boolean cleansUpTokenizationSpaces() {
        return config.cleanUpTokenizationSpaces();
    }

    /** The id of a token (an added token's content or a vocabulary entry), or -1 when there is none. */
    public int tokenId(String token) {
        int id = addedVocabulary.id(token);
        return id >= 0 ? id : model.id(token);
    }

    /** The token with this id (an added token's content or a vocabulary entry), or null when there is none. */
    public String token(int id) {
        String added = addedVocabulary.content(id);
        return added != null ? added : model.token(id);
    }

    /** Whether the id is an added token marked special (what {@code skipSpecialTokens} drops). */
    public boolean isSpecialToken(int id) {
        String text = addedVocabulary.decodingText(id);
        return text != null && addedVocabulary.isSpecial(text);
    }

    /** Number of token ids: one more than the largest id of the vocabulary and the added tokens. */
    public int vocabSize() {
        return Math.max(model.maxId(), addedVocabulary.maxId()) + 1;
    }

    public Integer bosId() {
        return specialId("bos_token");
    }

    public Integer eosId() {
        return specialId("eos_token");
    }

    public Integer padId() {
        return specialId("pad_token");
    }

    public Integer unkId() {
        return specialId("unk_token");
    }

    /** The id of a special token role from tokenizer_config.json, or null when unset or not in the vocabulary. */
    private Integer specialId(String role) {
        String content = config.specialToken(role);
        if (content == null) {
            return null;
        }
        int id = tokenId(content);
        return id < 0 ? null : id;
    }

    @Override
    public String toString() {
        return "Tokenizer[" + name + ", " + vocabSize() + " ids]";
    }
}
