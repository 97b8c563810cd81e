import { letterPairs, searchTerms } from './search-terms.js';

describe('searchTerms', () => {
  it('keeps a search in spaced scripts as whole words', () => {
    expect(searchTerms('Extra towels')).toEqual({ words: 'Extra towels', fragments: [], grams: '' });
  });

  it('looks for Chinese, Japanese or Korean as parts of the text, through their letter pairs', () => {
    expect(searchTerms('早餐')).toEqual({ words: '', fragments: ['%早餐%'], grams: "'早餐'" });
    expect(searchTerms('请问 早餐？')).toEqual({ words: '', fragments: ['%请问%', '%早餐%'], grams: "'请问' & '早餐'" });
    expect(searchTerms('아침 식사')).toEqual({ words: '', fragments: ['%아침%', '%식사%'], grams: "'아침' & '식사'" });
    // A lone letter has no pair to look up: it is only checked in the text.
    expect(searchTerms('水')).toEqual({ words: '', fragments: ['%水%'], grams: '' });
    expect(searchTerms('水 早餐')).toEqual({ words: '', fragments: ['%水%', '%早餐%'], grams: "'早餐'" });
  });

  it('keeps the katakana long-vowel mark inside its word', () => {
    expect(searchTerms('コーヒー')).toEqual({ words: '', fragments: ['%コーヒー%'], grams: "'コー' & 'ーヒ' & 'ヒー'" });
    expect(searchTerms('ｺｰﾋｰ')).toEqual({ words: '', fragments: ['%ｺｰﾋｰ%'], grams: "'ｺｰ' & 'ｰﾋ' & 'ﾋｰ'" });
  });

  it('splits at East Asian punctuation as at spaces', () => {
    expect(searchTerms('早餐。几点')).toEqual({ words: '', fragments: ['%早餐%', '%几点%'], grams: "'早餐' & '几点'" });
    expect(searchTerms('「タオル」')).toEqual({ words: '', fragments: ['%タオル%'], grams: "'タオ' & 'オル'" });
  });

  it('looks for a whole chunk with East Asian letters as parts of the text, Latin letters and digits in it too', () => {
    // The full-text parser takes 房间101 and wifi密码 for single words: never found as words.
    expect(searchTerms('房间101')).toEqual({ words: '', fragments: ['%房间101%'], grams: "'房间' & '间1' & '10' & '01'" });
    expect(searchTerms('wifi密码')).toEqual({ words: '', fragments: ['%wifi密码%'], grams: "'密码'" });
    // Nor are 3. and example words of the text 3.5元 or example.com密码: no part of them goes to words.
    expect(searchTerms('3.5元')).toEqual({ words: '', fragments: ['%3%', '%5元%'], grams: "'5元'" });
    expect(searchTerms('example.com密码')).toEqual({ words: '', fragments: ['%example%', '%com密码%'], grams: "'密码'" });
  });

  it('pairs ASCII digits with the letters they are written next to', () => {
    expect(searchTerms('3楼')).toEqual({ words: '', fragments: ['%3楼%'], grams: "'3楼'" });
    expect(searchTerms('10点')).toEqual({ words: '', fragments: ['%10点%'], grams: "'10' & '0点'" });
    expect(searchTerms('３階')).toEqual({ words: '', fragments: ['%３階%'], grams: "'３階'" });
  });

  it('splits a mixed search into both', () => {
    expect(searchTerms('wifi 密码')).toEqual({ words: 'wifi', fragments: ['%密码%'], grams: "'密码'" });
    expect(searchTerms('towels 房间 please')).toEqual({ words: 'towels please', fragments: ['%房间%'], grams: "'房间'" });
  });

  it('has nothing to look for in punctuation alone', () => {
    expect(searchTerms('？？')).toEqual({ words: '', fragments: [], grams: '' });
    expect(searchTerms('%_')).toEqual({ words: '', fragments: [], grams: '' });
  });
});

describe('letterPairs', () => {
  it('pairs neighbours in runs of East Asian letters and ASCII digits that hold a letter', () => {
    expect(letterPairs('2024年3月 at 10 o’clock, 123')).toEqual(['20', '02', '24', '4年', '年3', '3月']);
    expect(letterPairs('𠮷野家')).toEqual(['𠮷野', '野家']);
    expect(letterPairs('早，餐')).toEqual([]);
  });
});
