import { searchTerms } from './search-terms.js';

describe('searchTerms', () => {
  it('keeps a search in spaced scripts as whole words', () => {
    expect(searchTerms('Extra towels')).toEqual({ words: 'Extra towels', fragments: [] });
  });

  it('looks for runs of Chinese, Japanese or Korean as parts of the text', () => {
    expect(searchTerms('早餐')).toEqual({ words: '', fragments: ['%早餐%'] });
    expect(searchTerms('请问 早餐？')).toEqual({ words: '', fragments: ['%请问%', '%早餐%'] });
    expect(searchTerms('タオル')).toEqual({ words: '', fragments: ['%タオル%'] });
    expect(searchTerms('아침 식사')).toEqual({ words: '', fragments: ['%아침%', '%식사%'] });
  });

  it('splits a mixed search into both', () => {
    expect(searchTerms('wifi 密码')).toEqual({ words: 'wifi', fragments: ['%密码%'] });
    expect(searchTerms('房间101')).toEqual({ words: '101', fragments: ['%房间%'] });
  });
});
