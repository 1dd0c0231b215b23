// Jest runs the sidebar's model and protocol tests: plain TypeScript, no DOM, no JupyterLab runtime.
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/labextension'],
  testRegex: '__tests__/.*\\.spec\\.ts$',
  modulePathIgnorePatterns: ['<rootDir>/dlmagics', '<rootDir>/lib', '<rootDir>/ui-tests'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }],
    '^.+\\.svg$': '<rootDir>/labextension/__tests__/svgText.js' // an icon: its text, as webpack's loader gives it
  }
};
