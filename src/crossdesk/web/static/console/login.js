// The sign-in form. Resolves with the agent once the desk accepted the credentials.

export function showLogin({ api, onSignedIn }) {
  const screen = document.getElementById('login');
  const form = document.getElementById('login-form');
  const email = form.querySelector('[data-testid="login-email"]');
  const password = form.querySelector('[data-testid="login-password"]');
  const submit = form.querySelector('[data-testid="login-submit"]');
  const error = document.getElementById('login-error');

  screen.hidden = false;
  error.hidden = true;
  password.value = '';
  email.focus();

  form.onsubmit = async (event) => {
    event.preventDefault();
    submit.disabled = true;
    error.hidden = true;
    try {
      await api.login(email.value.trim(), password.value);
      screen.hidden = true;
      onSignedIn();
    } catch (failure) {
      error.textContent = failure.status === 401 || failure.status === 400
        ? 'That email and password do not match an agent of this desk.'
        : failure.message;
      error.hidden = false;
      password.select();
    } finally {
      submit.disabled = false;
    }
  };
}
