import { ScimError } from './errors';
import { assertIfMatch, weakEtag } from './etag';

describe('ETags', () => {
  it('formats a version as a weak entity tag', () => {
    expect(weakEtag(7)).toBe('W/"7"');
  });

  it.each([undefined, '', '*', 'W/"3"', '"3"', 'W/"1", W/"3"'])('If-Match %p passes for version 3', (header) => {
    expect(() => assertIfMatch(header, 3)).not.toThrow();
  });

  it.each(['W/"2"', '"4"', 'W/"30"', 'garbage'])('If-Match %p fails for version 3 with 412', (header) => {
    expect(() => assertIfMatch(header, 3)).toThrow(ScimError);
    try {
      assertIfMatch(header, 3);
    } catch (error) {
      expect((error as ScimError).status).toBe(412);
    }
  });
});
