"""Part-of-speech tagging with an LSTM (seed 001 §7.7, 吴茂贵《Python深度学习：基于PyTorch》).

Two tagged training sentences, "The cat ate the fish" (DET NN V DET NN) and "They read that book"
(NN V DET NN), and one test sentence, "They ate the fish". The network has three layers:
``nn.Embedding(vocab, 10)`` -> ``nn.LSTM(10, 3)`` (the hidden size equals the number of tags) ->
``nn.Linear(3, 3)`` + ``log_softmax``, trained with ``NLLLoss`` and ``SGD(lr=0.1)`` for 400 epochs,
one sentence at a time, the hidden state reset to zeros before each sentence.

It prints what the notes print: the word and tag dictionaries, the scores of the first training
sentence before training (the notes get tags ``[2, 2, 1, 1, 1]``) and after it (``[0, 1, 2, 0, 1]``,
100 %), and the scores of the test sentence (``tensor([5, 2, 3, 4])`` -> ``[1, 2, 0, 1]``, that is
NN V DET NN).

    python -m torchlet.examples run lstm_tagger
"""
import torchlet as torch
import torchlet.nn as nn
import torchlet.nn.functional as F

from ._common import Run, make_parser, parse_args

NAME = 'lstm_tagger'
DESCRIPTION = 'LSTM part-of-speech tagger: Embedding -> LSTM -> Linear on two sentences, tags "They ate the fish"'
SEED = '001 §7.7'
SEED_REPORTED = {'tags_before_training': [2, 2, 1, 1, 1], 'tags_after_training': [0, 1, 2, 0, 1],
                 'test_inputs': [5, 2, 3, 4], 'test_tags': [1, 2, 0, 1], 'train_accuracy': 1.0}

# 定义训练数据 / 测试数据
TRAINING_DATA = [
    ("The cat ate the fish".split(), ["DET", "NN", "V", "DET", "NN"]),
    ("They read that book".split(), ["NN", "V", "DET", "NN"]),
]
TESTING_DATA = [("They ate the fish".split())]
TAG_TO_IX = {"DET": 0, "NN": 1, "V": 2}  # 手工设定词性标签数据字典


class LSTMTagger(nn.Module):
    """Embedding -> LSTM -> Linear -> log_softmax over the tags, one sentence (batch of 1) at a time;
    ``self.hidden`` carries (h, c) and is reset with :meth:`init_hidden`."""

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim
        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)
        self.lstm = nn.LSTM(embedding_dim, hidden_dim)
        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)
        self.hidden = self.init_hidden()

    def init_hidden(self):
        """Zero (h_0, c_0), each (num_layers=1, batch=1, hidden_dim)."""
        return (torch.zeros(1, 1, self.hidden_dim), torch.zeros(1, 1, self.hidden_dim))

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)                      # (len, embedding_dim)
        lstm_out, self.hidden = self.lstm(embeds.view(len(sentence), 1, -1), self.hidden)
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        return F.log_softmax(tag_space, dim=1)                        # (len, tagset_size)


def build_vocab(training_data):
    """单词的索引字典: each word of the training sentences -> its index, in order of appearance."""
    word_to_ix = {}
    for sent, _ in training_data:
        for word in sent:
            if word not in word_to_ix:
                word_to_ix[word] = len(word_to_ix)
    return word_to_ix


def prepare_sequence(seq, to_ix):
    """The indices of a list of words (or tags) as a LongTensor."""
    return torch.LongTensor([to_ix[w] for w in seq])


def tag_names(indices):
    """Tag indices -> tag names."""
    names = {i: t for t, i in TAG_TO_IX.items()}
    return [names[int(i)] for i in indices]


def show(words, inputs, scores):
    """Print what the notes print: the words, their indices (when given), the scores and their max."""
    print(words)
    if inputs is not None:
        print(inputs)
    print(scores)
    print(torch.max(scores, 1))


def build_parser():
    parser = make_parser(NAME, DESCRIPTION, epochs=400, lr=0.1, seed=1)
    parser.add_argument('--embedding-dim', type=int, default=10, help='EMBEDDING_DIM')
    parser.add_argument('--hidden-dim', type=int, default=3, help='HIDDEN_DIM (the notes: = number of tags)')
    return parser


def train(run, model, word_to_ix):
    """400 epochs over the two sentences (SGD, NLLLoss); returns the summed loss of each epoch."""
    args = run.args
    loss_function = nn.NLLLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    losses = []
    for epoch in run.progress(range(1, args.epochs + 1), desc='epochs'):
        total = 0.0
        for sentence, tags in TRAINING_DATA:
            model.zero_grad()                     # 清除网络先前的梯度值
            model.hidden = model.init_hidden()    # 重新初始化隐藏层数据
            sentence_in = prepare_sequence(sentence, word_to_ix)
            targets = prepare_sequence(tags, TAG_TO_IX)
            tag_scores = model(sentence_in)
            loss = loss_function(tag_scores, targets)
            loss.backward()
            optimizer.step()
            total += loss.item()
        losses.append(total)
        run.log_epoch(epoch, args.epochs, loss=total)
    return losses


def main(argv=None):
    args = parse_args(build_parser(), argv)
    run = Run(NAME, args)
    word_to_ix = build_vocab(TRAINING_DATA)
    print('单词的索引字典：')
    print(word_to_ix)
    print('手工设定词性标签数据字典：')
    print(TAG_TO_IX)

    model = LSTMTagger(args.embedding_dim, args.hidden_dim, len(word_to_ix), len(TAG_TO_IX))
    inputs = prepare_sequence(TRAINING_DATA[0][0], word_to_ix)
    before = model(inputs)
    run.log('before training (简单运行一次):')
    show(TRAINING_DATA[0][0], inputs, before)

    losses = train(run, model, word_to_ix)

    run.log('after training (查看模型训练的结果):')
    model.hidden = model.init_hidden()
    after = model(inputs)
    show(TRAINING_DATA[0][0], None, after)
    run.log('test (测试模型):')
    model.hidden = model.init_hidden()
    test_inputs = prepare_sequence(TESTING_DATA[0], word_to_ix)
    test_scores = model(test_inputs)
    show(TESTING_DATA[0], test_inputs, test_scores)
    correct = total = 0
    with torch.no_grad():
        for sentence, tags in TRAINING_DATA:
            model.hidden = model.init_hidden()
            pred = model(prepare_sequence(sentence, word_to_ix)).argmax(1)
            correct += (pred == prepare_sequence(tags, TAG_TO_IX)).sum().item()
            total += len(tags)
    test_tags = tag_names(test_scores.argmax(1).tolist())
    run.log(f'"{" ".join(TESTING_DATA[0])}" -> {" ".join(test_tags)}')
    run.plot_curves('loss.png', {'train': losses}, title='LSTM tagger: NLL loss per epoch (both sentences)',
                    xlabel='epoch', ylabel='loss')
    summary = {
        'train_accuracy': correct / total,
        'tags_before_training': before.argmax(1).tolist(),
        'tags_after_training': after.argmax(1).tolist(),
        'test_sentence': ' '.join(TESTING_DATA[0]),
        'test_tags': ' '.join(test_tags),
        'first_loss': losses[0] if losses else None,
        'final_loss': losses[-1] if losses else None,
    }
    return run.finish(summary, history={'loss': losses}, seed_reported=SEED_REPORTED,
                      word_to_ix=word_to_ix, tag_to_ix=TAG_TO_IX,
                      scores={'before': before, 'after': after, 'test': test_scores})


if __name__ == '__main__':
    main()
