package dev.jvlm.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.jvlm.JvlmException;
import dev.jvlm.eval.Metrics;
import dev.jvlm.io.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SequencedMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The benchmarks {@code jvlm eval} runs. Prompts are lmms-eval's default prompts at the snapshot
 * named in docs/EVAL.md (its {@code doc_to_text} with the {@code default} task kwargs), reply
 * lengths its {@code generation_kwargs}, and scores the metrics of {@code dev.jvlm.eval}; the
 * per-benchmark choices are tabulated in docs/EVAL.md.
 */
public final class Benchmarks {

    static final String MULTIPLE_CHOICE_INSTRUCTION = "Answer with the option's letter from the given choices directly.";
    static final String SHORT_ANSWER_INSTRUCTION = "Answer the question using a single word or phrase.";
    static final String CHARTQA_INSTRUCTION = "Answer the question with a single word.";
    /** lmms-eval's {@code REPLACE_PROMPT}: the instruction RealWorldQA questions end with. */
    static final String REALWORLDQA_INSTRUCTION =
            "Please answer directly with only the letter of the correct option and nothing else.";
    /** lmms-eval's MMBench {@code sys_prompt}, which heads the option list. */
    static final String MMBENCH_OPTIONS_HEADER = "There are several options:";
    static final String CORD_PROMPT = "Extract JSON";

    static final Scorer CIRCULAR = Scorer.metric("mmbench_circular");

    /** VLMEvalKit numbers MMBench rotations index + k * 1e6; {@code index % 1e6} names the question. */
    private static final long MMBENCH_ROTATION_STRIDE = 1_000_000L;
    private static final String OCRBENCH_HANDWRITTEN_MATH_CATEGORY = "Handwritten Mathematical Expression Recognition";
    private static final String OCRBENCH_HANDWRITTEN_MATH_DATASET = "HME100k";
    private static final Pattern MMMU_IMAGE_TAG = Pattern.compile("<image (\\d+)>");

    /** MMMU subjects by discipline, from lmms-eval's {@code DOMAIN_CAT2SUB_CAT} (the official MMMU grouping). */
    private static final Map<String, List<String>> MMMU_DISCIPLINES = Map.of(
            "Art and Design", List.of("Art", "Art_Theory", "Design", "Music"),
            "Business", List.of("Accounting", "Economics", "Finance", "Manage", "Marketing"),
            "Science", List.of("Biology", "Chemistry", "Geography", "Math", "Physics"),
            "Health and Medicine", List.of("Basic_Medical_Science", "Clinical_Medicine",
                    "Diagnostics_and_Laboratory_Medicine", "Pharmacy", "Public_Health"),
            "Humanities and Social Science", List.of("History", "Literature", "Sociology", "Psychology"),
            "Tech and Engineering", List.of("Agriculture", "Architecture_and_Engineering", "Computer_Science",
                    "Electronics", "Energy_and_Power", "Materials", "Mechanical_Engineering"));

    private static final Map<String, Benchmark> BY_NAME = index(List.of(
            new Benchmark("synth", 64, Scorer.exactMatch(), List.of("question_type"), Benchmarks::synth),
            new Benchmark("mmbench", 1024, Scorer.metric("mcq_letter_vlmevalkit"), List.of("category", "l2-category"),
                    Benchmarks::mmbench).scoredByCircularGroups(),
            new Benchmark("ai2d", 16, Scorer.metric("ai2d_exact_match"), List.of("category"), Benchmarks::ai2d),
            new Benchmark("docvqa", 32, Scorer.metric("anls"), List.of("category"),
                    row -> shortAnswer(row, SHORT_ANSWER_INSTRUCTION)),
            new Benchmark("chartqa", 16, Scorer.metric("relaxed_accuracy"), List.of("type", "category", "split"),
                    row -> shortAnswer(row, CHARTQA_INSTRUCTION)),
            new Benchmark("textvqa", 1024, Scorer.metric("textvqa_accuracy"), List.of("category"), Benchmarks::textVqa),
            new Benchmark("vqav2", 16, Scorer.metric("vqa_accuracy"), List.of("answer_type"), Benchmarks::vqaV2),
            new Benchmark("ocrbench", 128, Scorer.metric("ocrbench_hit"), List.of("question_type", "category"),
                    Benchmarks::ocrBench),
            new Benchmark("realworldqa", 16, Scorer.metric("realworldqa"), List.of("category"), Benchmarks::realWorldQa),
            new Benchmark("mmmu", 128, Scorer.mmmu(), List.of("subject", "discipline"), Benchmarks::mmmu),
            new Benchmark("cord", 768, Scorer.metric("cord_ted_acc_from_tokens"), List.of(), Benchmarks::cord)
                    .alsoReporting(Scorer.metric("cord_f1_from_tokens"))));

    private Benchmarks() {
    }

    /** The benchmark of this name (case-insensitive); an error listing the known names otherwise. */
    public static Benchmark find(String name) {
        Benchmark benchmark = BY_NAME.get(name.strip().toLowerCase(Locale.ROOT));
        if (benchmark == null) {
            throw new JvlmException("unknown benchmark '" + name + "'; known benchmarks: " + String.join(", ", names()));
        }
        return benchmark;
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }

    private static Map<String, Benchmark> index(List<Benchmark> benchmarks) {
        Map<String, Benchmark> byName = new LinkedHashMap<>();
        benchmarks.forEach(b -> byName.put(b.name(), b));
        return byName;
    }

    // ---- the benchmarks ----

    /** jvlm's synthetic shapes: the question exactly as the model was trained on it, exact-match scored. */
    private static BenchmarkItem synth(Row row) {
        List<String> references = List.of(row.text("answer"));
        return item(row, row.text("question"), textNode(references.getFirst()), references(references));
    }

    /**
     * lmms-eval {@code mmbench_doc_to_text}: "{hint} {question} There are several options:\nA. ..."
     * then "\n" and the post prompt (which itself starts with a newline). Scored per rotation with
     * VLMEvalKit's {@code can_infer}, and overall by its circular rule.
     */
    private static BenchmarkItem mmbench(Row row) {
        SequencedMap<String, String> options = requireOptions(row);
        String question = row.text("question");
        String optionsText = options.entrySet().stream().map(o -> o.getKey() + ". " + o.getValue() + "\n")
                .collect(Collectors.joining("", MMBENCH_OPTIONS_HEADER + "\n", ""));
        String query = row.optionalText("hint").map(hint -> hint + " ").orElse("") + question + " "
                + rstripNewlines(optionsText);
        String prompt = query + "\n" + "\n" + MULTIPLE_CHOICE_INSTRUCTION;
        String answer = row.text("answer");
        ObjectNode scoring = references(List.of(answer));
        ObjectNode choices = scoring.putObject("choices");
        options.forEach(choices::put);
        // lmms-eval's MMBench data spells the column L2-category, VLMEvalKit's l2-category.
        SequencedMap<String, String> categories = new LinkedHashMap<>();
        row.optionalText("L2-category").ifPresent(c -> categories.put("l2-category", c));
        String id = id(row);
        return new BenchmarkItem(id, row.number(), row.where(), prompt, requireImages(row), textNode(answer), scoring,
                categories, Optional.of(circularGroup(id)));
    }

    /** lmms-eval {@code ai2d_doc_to_text} (mcq format): "{question}\nA. ...\nB. ...\n" + instruction. */
    private static BenchmarkItem ai2d(Row row) {
        SequencedMap<String, String> options = requireOptions(row);
        String letter = answerLetter(row, options);
        String prompt = row.text("question") + "\n" + optionLines(options) + "\n" + MULTIPLE_CHOICE_INSTRUCTION;
        return item(row, prompt, textNode(letter), references(List.of(letter)));
    }

    /** DocVQA and ChartQA: "{question}" + "\n" + instruction, answers from {@code answers} or {@code answer}. */
    private static BenchmarkItem shortAnswer(Row row, String instruction) {
        List<String> answers = answers(row);
        return item(row, row.text("question") + "\n" + instruction, strings(answers), references(answers));
    }

    /** lmms-eval {@code textvqa_doc_to_text}: the question passes through Python's {@code str.capitalize()}. */
    private static BenchmarkItem textVqa(Row row) {
        List<String> answers = answers(row);
        return item(row, capitalize(row.text("question")) + "\n" + SHORT_ANSWER_INSTRUCTION, strings(answers),
                references(answers));
    }

    /** lmms-eval {@code vqav2_doc_to_text}; VQAv2 answers are objects with an {@code answer} each. */
    private static BenchmarkItem vqaV2(Row row) {
        List<String> answers = new ArrayList<>();
        JsonNode objects = row.field("answers").orElse(null);
        if (objects != null && objects.isArray() && !objects.isEmpty() && objects.get(0).isObject()) {
            for (JsonNode answer : objects) {
                if (!answer.path("answer").isTextual()) {
                    throw new SkipException("field 'answers' holds an object without an 'answer' text");
                }
                answers.add(answer.get("answer").asText());
            }
        } else {
            answers.addAll(answers(row));
        }
        return item(row, row.text("question") + "\n" + SHORT_ANSWER_INSTRUCTION, strings(answers), references(answers));
    }

    /**
     * lmms-eval {@code ocrbench_doc_to_text}: the stripped question, no instruction. The scorer tells
     * handwritten maths by lmms-eval's {@code dataset} field; VLMEvalKit files mark it by category.
     */
    private static BenchmarkItem ocrBench(Row row) {
        List<String> answers = row.strings("answer");
        ObjectNode scoring = references(answers);
        Optional<String> category = row.optionalText("category");
        String handwrittenMaths = category.filter(OCRBENCH_HANDWRITTEN_MATH_CATEGORY::equals)
                .map(c -> OCRBENCH_HANDWRITTEN_MATH_DATASET).orElse("");
        scoring.put("dataset", row.optionalText("dataset").orElse(handwrittenMaths));
        return item(row, Metrics.pythonStrip(row.text("question")), strings(answers), scoring);
    }

    /**
     * lmms-eval {@code realworldqa_doc_to_text}: the stripped question, which in the Hugging Face data
     * already lists the options and ends with the instruction. Files that keep the options in
     * columns (VLMEvalKit) get them appended in that same layout.
     */
    private static BenchmarkItem realWorldQa(Row row) {
        String question = Metrics.pythonStrip(row.text("question"));
        SequencedMap<String, String> options = row.options();
        if (!options.isEmpty() && !question.contains("\n" + options.firstEntry().getKey() + ". ")) {
            question = question + "\n" + optionLines(options) + "\n" + REALWORLDQA_INSTRUCTION;
        }
        String answer = row.text("answer");
        return item(row, question, textNode(answer), references(List.of(answer)));
    }

    /**
     * lmms-eval {@code construct_prompt}: "{question}\nA. ...\n\n" + the multiple-choice instruction, or
     * "{question}\n\n" + the short-answer instruction for open questions. {@code <image n>} tags stay
     * in the text (lmms-eval's non-interleaved prompt); the images are those the tags name.
     */
    private static BenchmarkItem mmmu(Row row) {
        SequencedMap<String, String> options = row.options();
        String type = row.optionalText("question_type").orElse(options.isEmpty() ? "open" : "multiple-choice");
        String question = row.text("question");
        List<String> answers = row.strings("answer");
        ObjectNode scoring = references(answers);
        String prompt;
        if (type.equals("multiple-choice")) {
            if (options.isEmpty()) {
                throw new SkipException("a multiple-choice question without options");
            }
            prompt = question + "\n" + optionLines(options) + "\n\n" + MULTIPLE_CHOICE_INSTRUCTION;
            ArrayNode texts = scoring.putArray("options");
            options.values().forEach(texts::add);
        } else {
            prompt = question + "\n\n" + SHORT_ANSWER_INSTRUCTION;
        }
        SequencedMap<String, String> categories = new LinkedHashMap<>();
        Optional<String> subject = mmmuSubject(row);
        subject.ifPresent(s -> categories.put("subject", s));
        subject.flatMap(Benchmarks::mmmuDiscipline).ifPresent(d -> categories.put("discipline", d));
        JsonNode answer = answers.size() == 1 ? textNode(answers.getFirst()) : strings(answers);
        return new BenchmarkItem(id(row), row.number(), row.where(), prompt, mmmuImages(row, prompt), answer, scoring,
                categories, Optional.empty());
    }

    /** Donut on CORD: the prompt "Extract JSON", the reply a Donut token sequence scored against {@code gt_parse}. */
    private static BenchmarkItem cord(Row row) {
        if (row.field("ground_truth").isEmpty() && row.field("answer").isEmpty()) {
            throw new SkipException("missing field 'ground_truth' (or 'answer')");
        }
        JsonNode groundTruth = jsonField(row, row.field("ground_truth").isPresent() ? "ground_truth" : "answer");
        JsonNode parse = groundTruth.has("gt_parse") ? groundTruth.get("gt_parse")
                : groundTruth.path("gt_parses").isArray() && !groundTruth.get("gt_parses").isEmpty()
                ? groundTruth.get("gt_parses").get(0) : groundTruth;
        ObjectNode scoring = Json.MAPPER.createObjectNode();
        scoring.putArray("references").add(parse);
        return item(row, CORD_PROMPT, parse, scoring);
    }

    // ---- helpers ----

    /** An item whose categories are the record's own fields. */
    private static BenchmarkItem item(Row row, String prompt, JsonNode answer, ObjectNode scoring) {
        return new BenchmarkItem(id(row), row.number(), row.where(), prompt, requireImages(row), answer, scoring,
                new LinkedHashMap<>(), Optional.empty());
    }

    /** The record's own id ({@code id}, VLMEvalKit's {@code index}, VQA's {@code question_id}), else its position. */
    private static String id(Row row) {
        return row.firstText("id", "index", "question_id", "questionId").orElse(String.valueOf(row.number()));
    }

    private static List<ImageRef> requireImages(Row row) {
        if (row.images().isEmpty()) {
            throw new SkipException("no image (expected 'image', 'images' or 'image_path')");
        }
        return row.images();
    }

    private static SequencedMap<String, String> requireOptions(Row row) {
        SequencedMap<String, String> options = row.options();
        if (options.isEmpty()) {
            throw new SkipException("no options (expected 'options' or option columns A, B, ...)");
        }
        return options;
    }

    /** The answer's letter: given as a letter (VLMEvalKit) or as the option's 0-based index (Hugging Face AI2D). */
    private static String answerLetter(Row row, SequencedMap<String, String> options) {
        String answer = Metrics.pythonStrip(row.text("answer"));
        if (options.containsKey(answer)) {
            return answer;
        }
        if (answer.matches("[0-9]+") && answer.length() < 3 && Integer.parseInt(answer) < options.size()) {
            return List.copyOf(options.sequencedKeySet()).get(Integer.parseInt(answer));
        }
        throw new SkipException("answer '" + answer + "' is neither an option letter nor an option index");
    }

    /** "A. first\nB. second", as lmms-eval joins options. */
    private static String optionLines(SequencedMap<String, String> options) {
        return options.entrySet().stream().map(o -> o.getKey() + ". " + o.getValue()).collect(Collectors.joining("\n"));
    }

    /** Reference answers: the {@code answers} list of Hugging Face VQA sets, else {@code answer}. */
    private static List<String> answers(Row row) {
        Optional<List<String>> answers = row.optionalStrings("answers");
        if (answers.isPresent() && !answers.get().isEmpty()) {
            return answers.get();
        }
        return row.strings("answer");
    }

    private static String circularGroup(String id) {
        try {
            return String.valueOf(Long.parseLong(id) % MMBENCH_ROTATION_STRIDE);
        } catch (NumberFormatException e) {
            return id;
        }
    }

    /** lmms-eval {@code extract_subset_name}: "validation_Art_Theory_12" is subject Art_Theory; else the category column. */
    private static Optional<String> mmmuSubject(Row row) {
        Optional<String> id = row.optionalText("id");
        if (id.isPresent()) {
            String split = id.get().split("_", -1)[0];
            Matcher m = Pattern.compile("^" + Pattern.quote(split) + "_(.+?)_\\d+$").matcher(id.get());
            if (m.find()) {
                return Optional.of(m.group(1));
            }
        }
        return row.optionalText("category");
    }

    private static Optional<String> mmmuDiscipline(String subject) {
        return MMMU_DISCIPLINES.entrySet().stream().filter(e -> e.getValue().contains(subject)).map(Map.Entry::getKey)
                .findFirst();
    }

    /**
     * lmms-eval {@code mmmu_doc_to_visual}: the {@code image_n} columns that the prompt's
     * {@code <image n>} tags name, in sorted order; files with unnamed images give them all.
     */
    private static List<ImageRef> mmmuImages(Row row, String prompt) {
        TreeSet<String> named = new TreeSet<>();
        Matcher tags = MMMU_IMAGE_TAG.matcher(prompt);
        while (tags.find()) {
            named.add("image_" + tags.group(1));
        }
        List<ImageRef> all = requireImages(row);
        if (all.stream().noneMatch(image -> image.field().startsWith("image_"))) {
            return all;
        }
        List<ImageRef> chosen = new ArrayList<>();
        for (String field : named) {
            chosen.add(all.stream().filter(image -> image.field().equals(field)).findFirst()
                    .orElseThrow(() -> new SkipException("the question shows <" + field.replace('_', ' ')
                            + "> but the record has no '" + field + "'")));
        }
        if (chosen.isEmpty()) {
            throw new SkipException("no <image n> tag in the question names one of the record's images");
        }
        return chosen;
    }

    /** A JSON object given as an object or as JSON text (the Hugging Face CORD {@code ground_truth} is text). */
    private static JsonNode jsonField(Row row, String name) {
        JsonNode value = row.field(name).orElseThrow();
        if (value.isTextual()) {
            try {
                value = Json.MAPPER.readTree(value.asText());
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new SkipException("field '" + name + "' is not valid JSON (" + e.getOriginalMessage() + ")");
            }
        }
        if (!value.isObject()) {
            throw new SkipException("field '" + name + "' must be a JSON object");
        }
        return value;
    }

    /** Python's {@code str.capitalize()}: the first character upper-case, the rest lower-case. */
    static String capitalize(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int first = text.codePointAt(0);
        return new StringBuilder().appendCodePoint(Character.toTitleCase(first))
                .append(text.substring(Character.charCount(first)).toLowerCase(Locale.ROOT)).toString();
    }

    /** lmms-eval strips only trailing newlines off the option block ({@code rstrip("\n")}). */
    private static String rstripNewlines(String text) {
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '\n') {
            end--;
        }
        return text.substring(0, end);
    }

    private static ObjectNode references(List<String> answers) {
        ObjectNode scoring = Json.MAPPER.createObjectNode();
        ArrayNode references = scoring.putArray("references");
        answers.forEach(references::add);
        return scoring;
    }

    private static JsonNode textNode(String text) {
        return Json.MAPPER.getNodeFactory().textNode(text);
    }

    private static JsonNode strings(List<String> texts) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        texts.forEach(array::add);
        return array;
    }
}
