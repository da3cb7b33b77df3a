/** SPEC.md's worked example 2: the answer after {"email":"george@…","phoneNumber":"717171"}. */
export const WORKED_EXAMPLE_2_RESPONSE = {
  contact: {
    primaryContactId: 11,
    primaryContatctId: 11,
    emails: ['george@hillvalley.edu', 'biffsucks@hillvalley.edu'],
    phoneNumbers: ['919191', '717171'],
    secondaryContactIds: [27],
  },
};
