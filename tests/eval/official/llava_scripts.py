# Source: haotian-liu/LLaVA at c121f04 (Apache License 2.0, https://www.apache.org/licenses/LICENSE-2.0):
#   scripts/convert_vqav2_for_submission.py, convert_vizwiz_for_submission.py, convert_mmbench_for_submission.py,
#   convert_mmvet_for_eval.py, convert_gqa_for_eval.py, convert_seed_for_submission.py.
# Changes: each script's body is a function taking its files as arguments (no argparse, no fixed paths); the logic
# is unchanged. convert_seed_for_submission's eval_single returns its printed numbers as well. EvalAIAnswerProcessor
# is imported from the installed LLaVA package (pip install --no-deps llava-torch), as the scripts do.

import json
import os

import pandas as pd

from llava.eval.m4c_evaluator import EvalAIAnswerProcessor


def convert_vqav2_for_submission(src, test_split, dst):
    results = []
    error_line = 0
    for line_idx, line in enumerate(open(src)):
        try:
            results.append(json.loads(line))
        except:
            error_line += 1

    results = {x['question_id']: x['text'] for x in results}
    test_split = [json.loads(line) for line in open(test_split)]
    split_ids = set([x['question_id'] for x in test_split])

    all_answers = []

    answer_processor = EvalAIAnswerProcessor()

    for x in test_split:
        if x['question_id'] not in results:
            all_answers.append({
                'question_id': x['question_id'],
                'answer': ''
            })
        else:
            all_answers.append({
                'question_id': x['question_id'],
                'answer': answer_processor(results[x['question_id']])
            })

    with open(dst, 'w') as f:
        json.dump(all_answers, open(dst, 'w'))
    return error_line


def convert_vizwiz_for_submission(annotation_file, result_file, result_upload_file):
    results = []
    error_line = 0
    for line_idx, line in enumerate(open(result_file)):
        try:
            results.append(json.loads(line))
        except:
            error_line += 1
    results = {x['question_id']: x['text'] for x in results}
    test_split = [json.loads(line) for line in open(annotation_file)]
    split_ids = set([x['question_id'] for x in test_split])

    all_answers = []

    answer_processor = EvalAIAnswerProcessor()

    for x in test_split:
        assert x['question_id'] in results
        all_answers.append({
            'image': x['image'],
            'answer': answer_processor(results[x['question_id']])
        })

    with open(result_upload_file, 'w') as f:
        json.dump(all_answers, f)


def convert_mmbench_for_submission(annotation_file, result_file, upload_file):
    df = pd.read_table(annotation_file)

    cur_df = df.copy()
    cur_df = cur_df.drop(columns=['hint', 'category', 'source', 'image', 'comment', 'l2-category'])
    cur_df.insert(6, 'prediction', None)
    for pred in open(result_file):
        pred = json.loads(pred)
        cur_df.loc[df['index'] == pred['question_id'], 'prediction'] = pred['text']

    cur_df.to_excel(upload_file, index=False, engine='openpyxl')


def convert_mmvet_for_eval(src, dst):
    cur_result = {}

    for line in open(src):
        data = json.loads(line)
        qid = data['question_id']
        cur_result[f'v1_{qid}'] = data['text']

    with open(dst, 'w') as f:
        json.dump(cur_result, f, indent=2)


def convert_gqa_for_eval(src, dst):
    all_answers = []
    for line_idx, line in enumerate(open(src)):
        res = json.loads(line)
        question_id = res['question_id']
        text = res['text'].rstrip('.').lower()
        all_answers.append({"questionId": question_id, "prediction": text})

    with open(dst, 'w') as f:
        json.dump(all_answers, f)


def seed_eval_single(data, result_file, eval_only_type=None):
    ques_type_id_to_name = {id:n for n,id in data['question_type'].items()}
    printed = {}
    results = {}
    for line in open(result_file):
        row = json.loads(line)
        results[row['question_id']] = row

    type_counts = {}
    correct_counts = {}
    for question_data in data['questions']:
        if eval_only_type is not None and question_data['data_type'] != eval_only_type: continue
        data_type = question_data['question_type_id']
        type_counts[data_type] = type_counts.get(data_type, 0) + 1
        try:
            question_id = int(question_data['question_id'])
        except:
            question_id = question_data['question_id']
        if question_id not in results:
            correct_counts[data_type] = correct_counts.get(data_type, 0)
            continue
        row = results[question_id]
        if row['text'] == question_data['answer']:
            correct_counts[data_type] = correct_counts.get(data_type, 0) + 1

    total_count = 0
    total_correct = 0
    for data_type in sorted(type_counts.keys()):
        accuracy = correct_counts[data_type] / type_counts[data_type] * 100
        if eval_only_type is None:
            printed[ques_type_id_to_name[data_type]] = accuracy

        total_count += type_counts[data_type]
        total_correct += correct_counts[data_type]

    total_accuracy = total_correct / total_count * 100
    printed['total' if eval_only_type is None else eval_only_type] = total_accuracy

    return results, printed
