package dev.jvlm.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics, by name. Names are the {@code metric} values of the reference test vectors; where the
 * toolkits disagree the lmms-eval rule has the plain name and VLMEvalKit's rule a {@code _vlmevalkit}
 * suffix. Input fields of each metric are listed in docs/EVAL.md.
 */
public final class Metrics {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final Metric.Aggregation MEAN = new Metric.MeanOnly();

    private static final Pattern AI2D_LEADING_LETTER = Pattern.compile("^" + Py.SPACE_CLASS + "*([A-Z])\\.");
    private static final List<String> REALWORLDQA_LETTERS = List.of("A", "B", "C", "D");
    private static final String MMMU_OTHER_ANSWERS = "Other Answers";

    private static final List<Metric> ALL = List.of(
            new Metric("vqa_accuracy", List.of("vqav2"),
                    "lmms-eval tasks/vqav2/utils.py vqav2_process_results", MEAN,
                    item -> vqaAccuracy(item, VqaAnswers.Style.LMMS_EVAL)),
            new Metric("vqa_accuracy_vlmevalkit", List.of("vqav2_vlmevalkit", "textvqa_accuracy_vlmevalkit"),
                    "VLMEvalKit dataset/utils/vqa_eval.py process_line(method='vqa_score') + hit_calculate", MEAN,
                    item -> vqaAccuracy(item, VqaAnswers.Style.VLMEVALKIT)),
            new Metric("textvqa_accuracy", List.of("textvqa"),
                    "lmms-eval tasks/textvqa/utils.py textvqa_process_results", MEAN, Metrics::textVqaAccuracy),
            new Metric("anls", List.of("docvqa", "infovqa", "anls_lmms_eval"),
                    "lmms-eval api/metrics.py anls (response stripped by api/task.py)", MEAN,
                    item -> ItemScore.of(Anls.score(Py.strip(item.prediction()), item.references()))),
            new Metric("anls_vlmevalkit_raw", List.of("anls_vlmevalkit"),
                    "VLMEvalKit dataset/utils/vqa_eval.py anls_compute + hit_calculate (response not stripped)", MEAN,
                    item -> ItemScore.of(Anls.score(item.prediction(), item.references()))),
            new Metric("relaxed_accuracy", List.of("chartqa", "relaxed_accuracy_vlmevalkit"),
                    "lmms-eval tasks/chartqa/utils.py relaxed_correctness (= VLMEvalKit vqa_eval.relaxed_correctness)",
                    MEAN, Metrics::relaxedAccuracy),
            new Metric("mcq_letter_vlmevalkit", List.of("mcq_vlmevalkit", "mmmu_mc_vlmevalkit"),
                    "VLMEvalKit utils/matching_util.py can_infer, exact_matching policy", MEAN,
                    Metrics::vlmEvalKitLetter),
            new Metric("mcq_letter_lmms_extract", List.of("mcq_lmms_eval", "mcq_extract"),
                    "lmms-eval tasks/_task_utils/mcq_extract.py extract_mcq_answer", MEAN, Metrics::lmmsLetter),
            new Metric("ai2d_exact_match", List.of("ai2d"),
                    "lmms-eval tasks/ai2d MultiChoiceRegexFilter + exact_match(ignore_case, ignore_punctuation)", MEAN,
                    Metrics::ai2dExactMatch),
            new Metric("mmmu_mc", List.of("mmmu_multiple_choice"),
                    "lmms-eval tasks/_task_utils/mmmu_mcq_utils.py parse_mmmu_multi_choice_response + eval_multi_choice",
                    MEAN, Metrics::mmmuMultipleChoice),
            new Metric("mmmu_open", List.of("mmmu_open_ended"),
                    "lmms-eval tasks/mmmu/utils.py parse_open_response + eval_open (official MMMU semantics)", MEAN,
                    Metrics::mmmuOpen),
            new Metric("mmmu_open_vlmevalkit", List.of(),
                    "VLMEvalKit dataset/utils/multiple_choice.py MMMU_preproc + can_infer, exact_matching policy",
                    MEAN, Metrics::mmmuOpenVlmEvalKit),
            new Metric("mmbench_circular", List.of("mmbench", "mmbench_circular_vlmevalkit"),
                    "VLMEvalKit dataset/utils/multiple_choice.py mcq_circular_eval, exact_matching policy", MEAN,
                    Metrics::mmbenchCircular),
            new Metric("ocrbench_hit", List.of("ocrbench"),
                    "lmms-eval tasks/ocrbench/utils.py ocrbench_process_results", new Metric.PointsTotal(),
                    item -> ItemScore.of(OcrBench.points(Py.strip(item.prediction()), item.references(),
                            item.string("dataset").equals(OcrBench.HANDWRITTEN_MATH_DATASET), true))),
            new Metric("ocrbench_hit_vlmevalkit", List.of("ocrbench_vlmevalkit"),
                    "VLMEvalKit dataset/image_vqa.py OCRBench.evaluate", new Metric.PointsTotal(),
                    item -> ItemScore.of(OcrBench.points(item.prediction(), item.references(),
                            item.string("category").equals(OcrBench.HANDWRITTEN_MATH_CATEGORY), false))),
            new Metric("realworldqa", List.of("realworldqa_exact_match"),
                    "lmms-eval tasks/realworldqa/utils.py realworldqa_process_results", MEAN, Metrics::realWorldQa),
            new Metric("mathvista_normalized", List.of(),
                    "lmms-eval tasks/mathvista/mathvista_evals.py normalize_extracted_answer + safe_equal "
                            + "(prediction = the already extracted answer)", MEAN,
                    item -> mathVista(item, false)),
            new Metric("mathvista", List.of("mathvista_rule_based"),
                    "lmms-eval tasks/mathvista/mathvista_evals.py extract_answer (rule-based steps only) "
                            + "+ normalize_extracted_answer + safe_equal", MEAN,
                    item -> mathVista(item, true)),
            cocoBleu(1), cocoBleu(2), cocoBleu(3), cocoBleu(4),
            new Metric("coco_cider", List.of("cider", "cider_d"),
                    "pycocoevalcap cider/cider_scorer.py CiderScorer (CIDEr-D, x10), PTB-tokenized", MEAN,
                    item -> ItemScore.of(CocoCaption.cider(captionCorpus(item)))),
            new Metric("cord_ted_acc", List.of("donut_ted_acc"),
                    "clovaai/donut donut/util.py JSONParseEvaluator.cal_acc", MEAN,
                    item -> ItemScore.of(DonutJson.treeAccuracy(item.required(Fields.PREDICTION),
                            singleDocumentReference(item)))),
            new Metric("cord_f1", List.of("donut_f1"),
                    "clovaai/donut donut/util.py JSONParseEvaluator.cal_f1", new Metric.PooledFieldCounts(),
                    item -> donutF1(item, false)),
            new Metric("cord_ted_acc_from_tokens", List.of("donut_ted_acc_from_tokens"),
                    "clovaai/donut donut/model.py token2json + donut/util.py JSONParseEvaluator.cal_acc", MEAN,
                    Metrics::donutTreeAccuracyFromTokens),
            new Metric("cord_f1_from_tokens", List.of("donut_f1_from_tokens"),
                    "clovaai/donut donut/model.py token2json + donut/util.py JSONParseEvaluator.cal_f1",
                    new Metric.PooledFieldCounts(), item -> donutF1(item, true)));

    private static final Map<String, Metric> BY_NAME = index();

    private Metrics() {
    }

    /** The metric with this name or alias; case and '-' versus '_' do not matter. */
    public static Optional<Metric> find(String nameOrAlias) {
        return Optional.ofNullable(BY_NAME.get(key(nameOrAlias)));
    }

    /**
     * Python's {@code str.strip()}, which lmms-eval applies to every generated response before scoring
     * and several tasks apply to questions; Python's whitespace set is wider than Java's.
     */
    public static String pythonStrip(String text) {
        return Py.strip(text);
    }

    /** All metrics, in documentation order. */
    public static List<Metric> all() {
        return ALL;
    }

    private static String key(String name) {
        return name.strip().toLowerCase(Locale.ROOT).replace('-', '_');
    }

    private static Map<String, Metric> index() {
        Map<String, Metric> byName = new LinkedHashMap<>();
        for (Metric metric : ALL) {
            List<String> names = new ArrayList<>(metric.aliases());
            names.add(metric.name());
            for (String name : names) {
                if (byName.put(key(name), metric) != null) {
                    throw new IllegalStateException("metric name used twice: " + name);
                }
            }
        }
        return Collections.unmodifiableMap(byName);
    }

    // ---- VQA family ----

    private static ItemScore vqaAccuracy(Fields item, VqaAnswers.Style style) {
        String prediction = VqaAnswers.normalize(item.prediction(), style);
        List<String> references = item.references().stream().map(r -> VqaAnswers.normalize(r, style)).toList();
        double[] accuracies = VqaAnswers.leaveOneOutAccuracies(prediction, references);
        // lmms-eval averages with statistics.mean (exact), VLMEvalKit with numpy.mean.
        return ItemScore.of(style == VqaAnswers.Style.LMMS_EVAL
                ? Arithmetic.exactMean(accuracies)
                : Arithmetic.numpyMean(accuracies));
    }

    private static ItemScore textVqaAccuracy(Fields item) {
        String prediction = VqaAnswers.normalizeTextVqa(item.prediction());
        List<String> references = item.references().stream().map(VqaAnswers::normalizeTextVqa).toList();
        return ItemScore.of(Arithmetic.exactMean(VqaAnswers.leaveOneOutAccuracies(prediction, references)));
    }

    /** Any reference within tolerance counts (VLMEvalKit takes the max; lmms-eval has one reference). */
    private static ItemScore relaxedAccuracy(Fields item) {
        String prediction = Py.strip(item.prediction());
        boolean correct = item.references().stream().anyMatch(r -> RelaxedAccuracy.correct(prediction, r));
        return ItemScore.of(correct ? 1.0 : 0.0);
    }

    // ---- multiple choice ----

    private static ItemScore vlmEvalKitLetter(Fields item) {
        String truth = item.singleReference();
        Optional<String> inferred = VlmEvalKitChoices.infer(item.prediction(), optionMap(item, "choices"));
        return vlmEvalKitVerdict(inferred, truth);
    }

    private static ItemScore vlmEvalKitVerdict(Optional<String> inferred, String truth) {
        ItemScore score = ItemScore.extracted(inferred.map(truth::equals).orElse(false) ? 1.0 : 0.0,
                inferred.<JsonNode>map(JSON::textNode).orElse(JSON.nullNode()));
        return inferred.isPresent() ? score : score.with(Caveat.LLM_JUDGE_FALLBACK);
    }

    /** A {@code {"A": "option text", ...}} object as VLMEvalKit's {@code build_choices} makes it. */
    private static SortedMap<String, String> optionMap(Fields item, String field) {
        return optionMap(item.required(field), field);
    }

    private static SortedMap<String, String> optionMap(JsonNode node, String field) {
        if (!node.isObject() || node.isEmpty()) {
            throw new BadItemException(field, "expected a non-empty object of option letter to option text");
        }
        SortedMap<String, String> options = new TreeMap<>();
        for (var entry : node.properties()) {
            String letter = entry.getKey();
            if (!letter.matches("[A-Z]")) {
                throw new BadItemException(field, "option key '" + letter + "' is not a letter A-Z");
            }
            JsonNode text = entry.getValue();
            if (!(text.isTextual() || text.isNumber())) {
                throw new BadItemException(field + "." + letter, "expected option text, got " + Fields.describe(text));
            }
            options.put(letter, Py.str(text));
        }
        return options;
    }

    private static ItemScore lmmsLetter(Fields item) {
        String truth = Py.strip(item.singleReference());
        List<String> letters = item.optional("choices")
                .map(node -> Fields.strings(node, "choices", 1))
                .orElse(LmmsChoiceExtractor.DEFAULT_LETTERS);
        if (letters.stream().anyMatch(String::isEmpty)) {
            throw new BadItemException("choices", "choice letters must not be empty");
        }
        String extracted = LmmsChoiceExtractor.extract(Py.strip(item.prediction()), letters);
        return ItemScore.extracted(extracted.equals(truth) ? 1.0 : 0.0, letterOrNull(extracted));
    }

    private static JsonNode letterOrNull(String letter) {
        return letter.isEmpty() ? JSON.nullNode() : JSON.textNode(letter);
    }

    /** The letter filter runs on the raw response; lmms-eval strips only what comes out of the filter. */
    private static ItemScore ai2dExactMatch(Fields item) {
        String prediction = item.prediction();
        Matcher letter = AI2D_LEADING_LETTER.matcher(prediction);
        String filtered = Py.strip(letter.find() ? letter.group(1) : prediction);
        String comparable = withoutAsciiPunctuation(Py.lower(filtered));
        boolean correct = item.references().stream()
                .anyMatch(r -> withoutAsciiPunctuation(Py.lower(r)).equals(comparable));
        return ItemScore.extracted(correct ? 1.0 : 0.0, JSON.textNode(filtered));
    }

    private static String withoutAsciiPunctuation(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().filter(cp -> Py.ASCII_PUNCTUATION.indexOf(cp) < 0).forEach(out::appendCodePoint);
        return out.toString();
    }

    private static ItemScore mmmuMultipleChoice(Fields item) {
        List<String> options = item.strings("options", 1);
        List<String> golds = item.references();
        Optional<String> parsed = Mmmu.parseMultipleChoice(Py.strip(item.prediction()), options);
        if (parsed.isPresent()) {
            return ItemScore.extracted(Mmmu.multipleChoiceCorrect(golds, parsed.get()) ? 1.0 : 0.0,
                    JSON.textNode(parsed.get()));
        }
        List<String> letters = Mmmu.letters(options.size());
        double expected = (double) letters.stream().filter(golds::contains).count() / letters.size();
        return ItemScore.extracted(expected, JSON.nullNode()).with(Caveat.RANDOM_CHOICE);
    }

    private static ItemScore mmmuOpen(Fields item) {
        List<Mmmu.OpenAnswer> parsed = Mmmu.parseOpen(Py.strip(item.prediction()));
        ArrayNode extracted = JSON.arrayNode();
        for (Mmmu.OpenAnswer answer : parsed) {
            switch (answer) {
                case Mmmu.Text(String text) -> extracted.add(text);
                case Mmmu.Number(double value) -> extracted.add(value);
            }
        }
        return ItemScore.extracted(Mmmu.openCorrect(item.references(), parsed) ? 1.0 : 0.0, extracted);
    }

    /** VLMEvalKit turns an open MMMU question into "A: the gold answer / B: Other Answers" with truth A. */
    private static ItemScore mmmuOpenVlmEvalKit(Fields item) {
        SortedMap<String, String> choices = new TreeMap<>(Map.of("A", item.singleReference(), "B", MMMU_OTHER_ANSWERS));
        return vlmEvalKitVerdict(VlmEvalKitChoices.infer(item.prediction(), choices), "A");
    }

    /** One line is one question in all its rotations; it scores 1 only when every rotation is answered right. */
    private static ItemScore mmbenchCircular(Fields item) {
        List<String> predictions = item.strings(Fields.PREDICTION, 1);
        List<String> truths = item.strings(Fields.REFERENCES, 1);
        JsonNode rotations = item.required("choices_per_rotation");
        if (!rotations.isArray()) {
            throw new BadItemException("choices_per_rotation", "expected an array of option objects");
        }
        if (truths.size() != predictions.size() || rotations.size() != predictions.size()) {
            throw new BadItemException(null, "prediction, references and choices_per_rotation must have the same"
                    + " length, got " + predictions.size() + ", " + truths.size() + " and " + rotations.size());
        }
        ArrayNode extracted = JSON.arrayNode();
        boolean allRight = true;
        boolean anyWrong = false;
        for (int i = 0; i < predictions.size(); i++) {
            SortedMap<String, String> choices = optionMap(rotations.get(i), "choices_per_rotation[" + i + "]");
            Optional<String> inferred = VlmEvalKitChoices.infer(predictions.get(i), choices);
            String truth = truths.get(i);
            extracted.add(inferred.<JsonNode>map(JSON::textNode).orElse(JSON.nullNode()));
            allRight &= inferred.map(truth::equals).orElse(false);
            anyWrong |= inferred.map(letter -> !letter.equals(truth)).orElse(false);
        }
        ItemScore score = ItemScore.extracted(allRight ? 1.0 : 0.0, extracted);
        // With no rotation answered wrongly, the judge would be asked about the un-inferable ones.
        return allRight || anyWrong ? score : score.with(Caveat.LLM_JUDGE_FALLBACK);
    }

    private static ItemScore realWorldQa(Fields item) {
        String truth = Py.strip(item.singleReference());
        String prediction = Py.strip(item.prediction());
        if (REALWORLDQA_LETTERS.contains(Py.upper(truth))) {
            String letter = LmmsChoiceExtractor.extract(prediction, REALWORLDQA_LETTERS);
            return ItemScore.extracted(letter.equals(Py.upper(truth)) ? 1.0 : 0.0, letterOrNull(letter));
        }
        String cleaned = Py.rstrip(Py.strip(Py.lower(prediction)), ".");
        return ItemScore.extracted(cleaned.equals(Py.lower(truth)) ? 1.0 : 0.0, JSON.textNode(cleaned));
    }

    // ---- MathVista ----

    private static ItemScore mathVista(Fields item, boolean extractFirst) {
        String questionType = item.string("question_type");
        String answerType = item.string("answer_type");
        int precision = item.integer("precision", 0);
        List<String> choices = questionType.equals(MathVista.MULTI_CHOICE)
                ? item.strings("choices", 1)
                : item.optional("choices").map(node -> Fields.strings(node, "choices", 0)).orElse(List.of());
        String answer = item.singleReference();
        String extraction = item.prediction();
        boolean needsJudge = false;
        if (extractFirst) {
            MathVista.Extraction rule = MathVista.extract(Py.strip(extraction), questionType, answerType, choices);
            extraction = rule.answer();
            needsJudge = rule.needsJudge();
        }
        Optional<String> normalized = MathVista.normalize(extraction, choices, questionType, answerType, precision);
        ItemScore score = ItemScore.extracted(MathVista.safeEqual(normalized, answer) ? 1.0 : 0.0,
                normalized.<JsonNode>map(JSON::textNode).orElse(JSON.nullNode()));
        return needsJudge ? score.with(Caveat.LLM_JUDGE_FALLBACK) : score;
    }

    // ---- COCO captions ----

    private static Metric cocoBleu(int n) {
        return new Metric("coco_bleu" + n, List.of("bleu" + n, "coco_bleu_" + n),
                "pycocoevalcap bleu/bleu_scorer.py BleuScorer.compute_score(option='closest'), PTB-tokenized", MEAN,
                item -> ItemScore.of(CocoCaption.bleu(captionCorpus(item))[n - 1]));
    }

    /** {@code prediction}: image id to caption; {@code references}: image id to reference captions; same ids. */
    private static List<CocoCaption.Image> captionCorpus(Fields item) {
        JsonNode predictions = item.required(Fields.PREDICTION);
        JsonNode references = item.required(Fields.REFERENCES);
        if (!predictions.isObject() || predictions.isEmpty()) {
            throw new BadItemException(Fields.PREDICTION, "expected a non-empty object of image id to caption");
        }
        if (!references.isObject()) {
            throw new BadItemException(Fields.REFERENCES, "expected an object of image id to reference captions");
        }
        Set<String> predicted = new HashSet<>();
        predictions.fieldNames().forEachRemaining(predicted::add);
        Set<String> referenced = new HashSet<>();
        references.fieldNames().forEachRemaining(referenced::add);
        if (!predicted.equals(referenced)) {
            throw new BadItemException(Fields.REFERENCES, "image ids differ from the prediction's");
        }
        List<CocoCaption.Image> images = new ArrayList<>();
        for (var entry : predictions.properties()) {
            String image = entry.getKey();
            String caption = Fields.text(entry.getValue(), Fields.PREDICTION + "." + image);
            List<String> captions = Fields.strings(references.get(image), Fields.REFERENCES + "." + image, 1);
            images.add(CocoCaption.tokenized(caption, captions));
        }
        if (images.stream().allMatch(i -> i.references().stream().allMatch(List::isEmpty))) {
            throw new BadItemException(Fields.REFERENCES, "no reference caption has a word (pycocoevalcap fails on this)");
        }
        return images;
    }

    // ---- Donut ----

    private static JsonNode singleDocumentReference(Fields item) {
        JsonNode references = referenceDocuments(item);
        if (references.size() != 1) {
            throw new BadItemException(Fields.REFERENCES, "expected exactly one reference document, got " + references.size());
        }
        return references.get(0);
    }

    private static JsonNode referenceDocuments(Fields item) {
        JsonNode references = item.required(Fields.REFERENCES);
        if (!references.isArray() || references.isEmpty()) {
            throw new BadItemException(Fields.REFERENCES, "expected a non-empty array of reference documents");
        }
        return references;
    }

    private static ItemScore donutTreeAccuracyFromTokens(Fields item) {
        JsonNode parsed = parseTokens(item.required(Fields.PREDICTION));
        return new ItemScore(DonutJson.treeAccuracy(parsed, singleDocumentReference(item)),
                Optional.of(parsed), Set.of(), Optional.empty());
    }

    private static JsonNode parseTokens(JsonNode tokens) {
        if (tokens.isArray()) {
            ArrayNode documents = JSON.arrayNode();
            for (int i = 0; i < tokens.size(); i++) {
                documents.add(parseTokenString(tokens.get(i), Fields.PREDICTION + "[" + i + "]"));
            }
            return documents;
        }
        return parseTokenString(tokens, Fields.PREDICTION);
    }

    private static JsonNode parseTokenString(JsonNode tokens, String field) {
        try {
            return DonutTokens.parse(Fields.text(tokens, field));
        } catch (IllegalArgumentException e) {
            throw new BadItemException(field, e.getMessage());
        }
    }

    /**
     * One document, or, when {@code prediction} is an array, a corpus paired element-wise with
     * {@code references}: Donut's F1 pools field counts over the corpus, it does not average per-document F1s.
     */
    private static ItemScore donutF1(Fields item, boolean fromTokens) {
        JsonNode given = item.required(Fields.PREDICTION);
        JsonNode prediction = fromTokens ? parseTokens(given) : given;
        JsonNode references = referenceDocuments(item);
        FieldCounts counts;
        if (prediction.isArray()) {
            if (prediction.size() != references.size()) {
                throw new BadItemException(Fields.REFERENCES, "a corpus needs one reference document per predicted"
                        + " document: got " + prediction.size() + " predictions and " + references.size() + " references");
            }
            counts = new FieldCounts(0, 0);
            for (int i = 0; i < prediction.size(); i++) {
                counts = counts.plus(DonutJson.fieldCounts(prediction.get(i), references.get(i)));
            }
        } else {
            counts = DonutJson.fieldCounts(prediction, singleDocumentReference(item));
        }
        double f1 = counts.f1();
        if (Double.isNaN(f1)) {
            throw new BadItemException(null, "F1 is undefined: neither prediction nor reference has any field"
                    + " (Donut divides by zero here)");
        }
        Optional<JsonNode> extracted = fromTokens ? Optional.of(prediction) : Optional.empty();
        return new ItemScore(f1, extracted, Set.of(), Optional.of(counts));
    }
}
