"""A small synthetic stand-in for the names dataset of Liu Er's lecture 13 (``names_train.csv.gz`` /
``names_test.csv.gz``: about 13 000 surnames of 18 countries, not shipped here).

Each "country" gets surnames assembled from a handful of real stems and endings typical of its
spelling (Russian -ov/-enko, Japanese -moto/-mura, Italian -etti/-ini, Irish O'/Mc, ...), plus a
few common real surnames. The names are plain ASCII (the classifier reads ``ord(c) < 128``), drawn
with a fixed NumPy generator so that the data set is the same in every run, and the training and
test names are disjoint. It is a teaching data set: the classes are easier to tell apart than the
real ones, so expect a higher accuracy than the lecture's ~84 %.
"""
import numpy as np

__all__ = ['COUNTRIES', 'synthetic_names']

# country: (stems, endings, whole names); a name is a stem + an ending, or one of the whole names
_STYLES = {
    'Arabic': (['Hadd', 'Nass', 'Khour', 'Abb', 'Hak', 'Bish', 'Tah', 'Naj', 'Shad', 'Sal', 'Mans', 'Kar',
                'Ham', 'Rash', 'Jab', 'Fakh', 'Qas', 'Zah', 'Mub', 'Ghan'],
               ['ad', 'ar', 'y', 'im', 'ara', 'an', 'jar', 'id', 'ib', 'our', 'ah', 'oud', 'iri', 'awi'],
               ['Hassan', 'Hussein', 'Mahmoud', 'Khalil', 'Nasser', 'Saleh', 'Youssef', 'Aziz', 'Rahim', 'Amin']),
    'Chinese': (['Zh', 'W', 'L', 'Ch', 'Y', 'Hu', 'X', 'S', 'G', 'D', 'F', 'T', 'Q', 'J', 'M', 'K', 'N', 'B'],
                ['ang', 'ao', 'iu', 'en', 'u', 'eng', 'ong', 'ai', 'uan', 'in', 'ing', 'i', 'an', 'ou', 'ui'],
                ['Zhang', 'Wang', 'Li', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Zhou', 'Xu', 'Sun', 'Zhu']),
    'English': (['Smi', 'John', 'Will', 'Brow', 'Tay', 'Thom', 'Wal', 'Wright', 'Rob', 'Thomp', 'Hugh', 'Edw',
                 'Green', 'Wood', 'Hall', 'Clark', 'Turn', 'Hill', 'Ward', 'Cook', 'Bak', 'Harr', 'Mor', 'Cart'],
                ['son', 'th', 'ley', 'er', 'ford', 'wood', 'ton', 'ham', 'field', 'well', 'ington', 'wick',
                 'es', 'ing', 'ell'],
                ['Smith', 'Jones', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Johnson', 'Walker', 'White']),
    'German': (['Schmi', 'Schneid', 'Fisch', 'Web', 'Mey', 'Wagn', 'Beck', 'Hoff', 'Rich', 'Schr', 'Neu',
                'Schwarz', 'Zimmer', 'Braun', 'Krug', 'Hart', 'Lang', 'Wern', 'Kraus', 'Lehm', 'Stein', 'Horst'],
               ['er', 'mann', 'berg', 'stein', 'hardt', 'feld', 'bach', 'hauser', 'dorf', 'inger', 'ke', 'tz',
                'richt', 'ler'],
               ['Schmidt', 'Mueller', 'Schulz', 'Koch', 'Wolf', 'Klein', 'Schroeder', 'Zimmermann', 'Krause']),
    'Irish': (['O\'Br', 'O\'Conn', 'O\'Donn', 'O\'Sull', 'O\'Neil', 'McCart', 'McKenn', 'McMah', 'McGr',
               'McBr', 'McLaugh', 'MacDerm', 'MacAl', 'Kean', 'Murph', 'Rea', 'Dugg', 'Quinl', 'Flan', 'Gallagh'],
              ['ien', 'or', 'ell', 'ivan', 'l', 'hy', 'a', 'on', 'ath', 'ide', 'lin', 'ott', 'ister', 'e',
               'an', 'agan', 'er'],
              ['Murphy', 'Kelly', 'Byrne', 'Ryan', 'Walsh', 'Doyle', 'Brennan', 'Gallagher', 'Lynch']),
    'Italian': (['Ross', 'Russ', 'Ferr', 'Espos', 'Bianch', 'Roman', 'Colomb', 'Ricc', 'Marin', 'Grec', 'Brun',
                 'Gall', 'Cont', 'Manc', 'Cost', 'Giord', 'Rizz', 'Lombard', 'Mor', 'Barb', 'Font', 'Sant'],
                ['i', 'o', 'ini', 'etti', 'elli', 'ano', 'one', 'ucci', 'ari', 'ello', 'ino', 'ucci', 'iero',
                 'azzi', 'otti'],
                ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Greco']),
    'Japanese': (['Yama', 'Naka', 'Ta', 'Ki', 'Matsu', 'Hashi', 'Ishi', 'Mori', 'Kawa', 'Fuji', 'Saka', 'Taka',
                  'Hara', 'Suzu', 'Koba', 'Wata', 'Ino', 'O', 'Sa', 'Kuro', 'Shira', 'Nishi', 'Higa', 'Ao'],
                 ['moto', 'mura', 'naka', 'da', 'ta', 'shita', 'kawa', 'no', 'be', 'zaki', 'gawa', 'ki', 'uchi',
                  'hara', 'yama', 'saki', 'to', 'oka'],
                 ['Sato', 'Suzuki', 'Takahashi', 'Tanaka', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi']),
    'Russian': (['Ivan', 'Petr', 'Smirn', 'Kuznets', 'Pop', 'Sokol', 'Lebed', 'Kozl', 'Novik', 'Moroz', 'Volk',
                 'Solov', 'Vasil', 'Zaits', 'Pavl', 'Semen', 'Golub', 'Vinogr', 'Bogdan', 'Vorob', 'Fedor',
                 'Mikhail', 'Taras', 'Belous', 'Gorbach'],
                ['ov', 'ev', 'in', 'sky', 'enko', 'ovich', 'ovsky', 'ikov', 'yev', 'ishin', 'uk', 'chenko', 'atov'],
                ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Sokolov', 'Lebedev', 'Kozlov', 'Novikov', 'Morozov']),
}
COUNTRIES = sorted(_STYLES)


def synthetic_names(n_train=300, n_test=100, seed=2021):
    """(train, test): lists of (name, country) with ``n_train`` / ``n_test`` distinct names per
    country (fewer when a country has fewer combinations), disjoint between the two lists, no name
    under two countries, the same for a given ``seed``."""
    rs = np.random.RandomState(seed)
    pools = {c: {s + e for s in stems for e in endings} | set(whole) for c, (stems, endings, whole) in _STYLES.items()}
    seen = {}
    for country in COUNTRIES:
        for name in pools[country]:
            seen[name] = seen.get(name, 0) + 1
    train, test = [], []
    for country in COUNTRIES:
        pool = sorted(name for name in pools[country] if seen[name] == 1)    # no name in two countries
        pool = [pool[i] for i in rs.permutation(len(pool))]
        k_test = min(n_test, len(pool) // 4)
        test += [(name, country) for name in pool[:k_test]]
        train += [(name, country) for name in pool[k_test:k_test + n_train]]
    order_train, order_test = rs.permutation(len(train)), rs.permutation(len(test))
    return [train[i] for i in order_train], [test[i] for i in order_test]
