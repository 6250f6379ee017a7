/** Why a sign-in was refused; each has its own message on the error page. */
export type SignInRefusal =
  'deactivated' | 'deleted' | 'not_provisioned' | 'ambiguous' | 'name_taken' | 'unusable_profile';

const MESSAGES: Record<SignInRefusal, string> = {
  deactivated: 'Your account has been deactivated. Ask your administrator to reactivate it.',
  deleted: 'Your account has been removed. Ask your administrator for access.',
  not_provisioned: 'Your organization has not given you access yet. Ask your administrator to assign you the app.',
  ambiguous: 'Your account matches more than one user. Ask your administrator to resolve it.',
  name_taken:
    'An account with your user name already exists, but it could not be matched to you. Ask your administrator.',
  unusable_profile:
    'Your identity provider sent a profile that cannot be used to create your account. Ask your administrator.',
};

/** A sign-in the gateway refuses for a reason the person can act on. */
export class SignInRefused extends Error {
  override readonly name = 'SignInRefused';

  constructor(readonly reason: SignInRefusal) {
    super(MESSAGES[reason]);
  }
}
