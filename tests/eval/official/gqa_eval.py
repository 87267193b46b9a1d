# Source: GQA's official evaluation script eval.py (https://cs.stanford.edu/people/dorarad/gqa/evaluate.html) as
# patched for the v1.2 release by LLaVA's gist (haotian-liu/db6eddc2a984b4cbcc8a7f26fd523187: choices and scene
# graphs optional); the copy read is the one LLaVA-derived repositories redistribute. No licence is stated.
# Changes: only the parts that produce accuracy, binary, open and the distribution score are kept (validity,
# plausibility, grounding and consistency need files testdev does not have); file loading and printing are
# replaced by arguments and a returned dict. The missing-prediction check, toScore, avg, chiSquare and the main
# loop's accuracy lines are unchanged.

from collections import defaultdict


def toScore(b):
    return float(1 if b else 0)


def avg(l):
    if len(l) == 0:
        return 0
    return float(sum(l)) / len(l)


def chiSquare(goldDist, predictedDist):
    sumScore, sumOverall = 0, 0

    for group in goldDist:
        score, overall = 0, 0

        for ans in goldDist[group]:
            e = goldDist[group][ans]
            o = predictedDist[group].get(ans, 0)
            score += ((float(o - e) ** 2) / e)
            overall += goldDist[group][ans]

        sumScore += score * overall
        sumOverall += overall

    avgScore = float(sumScore) / sumOverall

    return avgScore


def evaluate(questions, predictions):
    predictions = {p["questionId"]: p["prediction"] for p in predictions}

    # Make sure all question have predictions
    for qid in questions:
        if (qid not in predictions) and (questions[qid]["isBalanced"]):
            raise Exception("missing predictions")

    scores = {"accuracy": [], "binary": [], "open": []}
    dist = {
        "gold": defaultdict(lambda: defaultdict(int)),
        "predicted": defaultdict(lambda: defaultdict(int))
    }
    correct_of = {}
    for qid, question in questions.items():
        if question["isBalanced"]:
            gold = question["answer"]
            predicted = predictions[qid]

            correct = (predicted == gold)
            score = toScore(correct)
            correct_of[qid] = correct

            scores["accuracy"].append(score)
            answerType = "open" if question["types"]["structural"] == "query" else "binary"
            scores[answerType].append(score)

            globalGroup = question["groups"]["global"]
            if globalGroup is not None:
                dist["gold"][globalGroup][gold] += 1
                dist["predicted"][globalGroup][predicted] += 1

    scores["distribution"] = chiSquare(dist["gold"], dist["predicted"]) / 100
    for k in ["binary", "open", "accuracy"]:
        scores[k] = avg(scores[k]) * 100
    return scores, correct_of
