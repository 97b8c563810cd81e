import { searchTerms } from './search-terms.js';

describe('searchTerms', () => {
  it('keeps a search in spaced scripts as whole words', () => {
    expect(searchTerms('Extra towels')).toEqual({ words: 'Extra towels', fragments: [], grams: '' });
  });

  it('looks for runs of Chinese, Japanese or Korean as parts of the text, through their letter pairs', () => {
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

  it('looks for East Asian letters written together with Latin letters or digits as one piece of text', () => {
    // The full-text parser takes 房间101 and wifi密码 for single words: never found as words.
    expect(searchTerms('房间101')).toEqual({ words: '', fragments: ['%房间101%'], grams: "'房间'" });
    expect(searchTerms('wifi密码')).toEqual({ words: '', fragments: ['%wifi密码%'], grams: "'密码'" });
  });

  it('splits a mixed search into both', () => {
    expect(searchTerms('wifi 密码')).toEqual({ words: 'wifi', fragments: ['%密码%'], grams: "'密码'" });
    expect(searchTerms('towels 房间101 please')).toEqual({ words: 'towels   please', fragments: ['%房间101%'], grams: "'房间'" });
  });

  it('has nothing to look for in punctuation alone', () => {
    expect(searchTerms('？？')).toEqual({ words: '', fragments: [], grams: '' });
    expect(searchTerms('%_')).toEqual({ words: '', fragments: [], grams: '' });
  });
});
